//! Picks the roots that sign every AWS service endpoint (Amazon Trust Services: Amazon Root CA 1
//! to 4, and the Starfield Services root that cross-signs them) out of Mozilla's root store, and
//! writes them as one PEM bundle into `$OUT_DIR/aws_roots.rs`. Doing it here rather than at start-up
//! keeps a scan of ~150 certificates out of every cold start. See https://www.amazontrust.com/repository/.

use std::fmt::Write as _;

const AWS_ROOT_SUBJECTS: &[&[u8]] = &[b"Amazon Root CA", b"Starfield Services Root Certificate Authority"];

fn main() {
    use base64::Engine as _;
    let mut pem = String::new();
    let mut count = 0;
    for cert in webpki_root_certs::TLS_SERVER_ROOT_CERTS {
        let der: &[u8] = cert.as_ref();
        if !AWS_ROOT_SUBJECTS.iter().any(|s| der.windows(s.len()).any(|w| w == *s)) {
            continue;
        }
        count += 1;
        pem.push_str("-----BEGIN CERTIFICATE-----\n");
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        for line in b64.as_bytes().chunks(64) {
            pem.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
            pem.push('\n');
        }
        pem.push_str("-----END CERTIFICATE-----\n");
    }
    assert_eq!(
        count, 5,
        "expected Amazon Root CA 1-4 and Starfield Services Root G2 in webpki-root-certs"
    );
    let mut out = String::new();
    writeln!(
        out,
        "/// Amazon Root CA 1-4 and Starfield Services Root G2, PEM, from webpki-root-certs."
    )
    .unwrap();
    writeln!(out, "pub const AWS_ROOTS_PEM: &str = {pem:?};").unwrap();
    writeln!(out, "/// How many certificates [`AWS_ROOTS_PEM`] holds.").unwrap();
    writeln!(out, "pub const AWS_ROOT_COUNT: usize = {count};").unwrap();
    let path = std::path::Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("aws_roots.rs");
    std::fs::write(path, out).expect("write aws_roots.rs");
    println!("cargo::rerun-if-changed=build.rs");
}
