//! The SAM template and the code cannot drift: same table, same indexes, every contract route
//! mapped to its function with and without the trailing slash, every function built.

use std::collections::BTreeSet;
use std::path::PathBuf;

use api_tests::{ROUTES, Route};
use serde_yaml::Value;
use shared::platform::db::table::{KEY_ATTRIBUTES, TTL_ATTRIBUTE};
use shared::schema::INDEXES;

fn template() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../infra/template.yaml");
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn names(list: &Value, key: &str) -> BTreeSet<String> {
    list.as_sequence()
        .unwrap()
        .iter()
        .map(|v| v[key].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_template_table_matches_the_code() {
    let t = template();
    let props = &t["Resources"]["Table"]["Properties"];
    assert_eq!(
        names(&props["AttributeDefinitions"], "AttributeName"),
        KEY_ATTRIBUTES.iter().map(|s| s.to_string()).collect()
    );
    let key = props["KeySchema"].as_sequence().unwrap();
    assert_eq!(
        (key[0]["AttributeName"].as_str(), key[0]["KeyType"].as_str()),
        (Some("PK"), Some("HASH"))
    );
    assert_eq!(
        (key[1]["AttributeName"].as_str(), key[1]["KeyType"].as_str()),
        (Some("SK"), Some("RANGE"))
    );
    let gsis: BTreeSet<(String, String, String)> = props["GlobalSecondaryIndexes"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|g| {
            let ks = g["KeySchema"].as_sequence().unwrap();
            let name = g["IndexName"].as_str().unwrap();
            let spec = INDEXES
                .iter()
                .find(|i| i.index.name == name)
                .unwrap_or_else(|| panic!("{name} is not in shared::schema::INDEXES"));
            match spec.projected.attributes() {
                None => assert_eq!(g["Projection"]["ProjectionType"].as_str(), Some("ALL"), "{name}"),
                Some(attributes) => {
                    // The summary for a new stack, whole items for a stack made before (a
                    // projection cannot change in place): a parameter chooses, one for the
                    // order lists' indexes and one for the customers' index.
                    let condition = if name == "GSI1" {
                        "SummaryCustomerIndex"
                    } else {
                        "SummaryOrderIndexes"
                    };
                    let choice = g["Projection"]["Fn::If"].as_sequence().expect("Fn::If");
                    assert_eq!(choice[0].as_str(), Some(condition), "{name}");
                    assert_eq!(choice[1]["ProjectionType"].as_str(), Some("INCLUDE"), "{name}");
                    assert_eq!(
                        names_of(&choice[1]["NonKeyAttributes"]),
                        attributes.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
                        "{name}"
                    );
                    assert_eq!(choice[2]["ProjectionType"].as_str(), Some("ALL"), "{name}");
                }
            }
            (
                name.to_owned(),
                ks[0]["AttributeName"].as_str().unwrap().to_owned(),
                ks[1]["AttributeName"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: BTreeSet<_> = INDEXES
        .iter()
        .map(|i| (i.index.name.to_owned(), i.index.pk.to_owned(), i.index.sk.to_owned()))
        .collect();
    assert_eq!(gsis, expected);
    assert_eq!(
        t["Parameters"]["OrderListIndexes"]["Default"].as_str(),
        Some("summary"),
        "a new stack gets the summary indexes"
    );
    assert_eq!(
        t["Conditions"]["SummaryOrderIndexes"]["Fn::Equals"][0]["Ref"].as_str(),
        Some("OrderListIndexes")
    );
    assert_eq!(
        props["TimeToLiveSpecification"]["AttributeName"].as_str(),
        Some(TTL_ATTRIBUTE)
    );
    assert_eq!(props["BillingMode"].as_str(), Some("PAY_PER_REQUEST"));
    assert_eq!(
        props["StreamSpecification"]["StreamViewType"].as_str(),
        Some(shared::platform::db::table::STREAM_VIEW)
    );
    assert_eq!(
        props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"].as_bool(),
        Some(true)
    );
    assert_eq!(props["SSESpecification"]["SSEEnabled"].as_bool(), Some(true));
    assert_eq!(t["Resources"]["Table"]["DeletionPolicy"].as_str(), Some("Retain"));
}

#[test]
fn every_contract_route_is_mapped_to_its_function_with_and_without_the_slash() {
    let t = template();
    let mut mapped = BTreeSet::new();
    let mut default_routes = Vec::new();
    let functions: Vec<String> = std::fs::read_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../functions"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for function in &functions {
        let resource_name = format!("{}{}Function", function[..1].to_uppercase(), &function[1..]);
        let resource = &t["Resources"][resource_name.as_str()];
        assert_eq!(
            resource["Type"].as_str(),
            Some("AWS::Serverless::Function"),
            "{resource_name}"
        );
        assert_eq!(resource["Metadata"]["BuildMethod"].as_str(), Some("rust-cargolambda"));
        assert_eq!(
            resource["Metadata"]["BuildProperties"]["Binary"].as_str(),
            Some(function.as_str())
        );
        if function == "realtime" {
            // API Gateway's WebSocket API invokes it: $connect, $disconnect, $default, two-way.
            assert!(resource["Properties"]["Events"].is_null(), "no HTTP routes");
            let routes: BTreeSet<&str> = t["Resources"]
                .as_mapping()
                .unwrap()
                .values()
                .filter(|r| r["Type"].as_str() == Some("AWS::ApiGatewayV2::Route"))
                .filter_map(|r| r["Properties"]["RouteKey"].as_str())
                .collect();
            assert_eq!(routes, BTreeSet::from(["$connect", "$default", "$disconnect"]));
            assert_eq!(
                t["Resources"]["RealtimeStage"]["Properties"]["StageName"].as_str(),
                Some("ws"),
                "the front door's /ws is the stage's URL"
            );
            continue;
        }
        for (_, event) in resource["Properties"]["Events"].as_mapping().unwrap() {
            if function == "notifier" {
                assert_eq!(
                    event["Type"].as_str(),
                    Some("DynamoDB"),
                    "the notifier reads the stream only"
                );
                continue;
            }
            if function == "payments" && event["Type"].as_str() == Some("DynamoDB") {
                // The refund worker: cancelled orders still paid through Paystack, nothing else.
                let props = &event["Properties"];
                assert_eq!(props["Stream"]["Fn::GetAtt"][0].as_str(), Some("Table"));
                assert_eq!(
                    props["FunctionResponseTypes"][0].as_str(),
                    Some("ReportBatchItemFailures")
                );
                assert_eq!(
                    props["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0].as_str(),
                    Some("RefundFailures")
                );
                let filters = props["FilterCriteria"]["Filters"].as_sequence().unwrap();
                assert_eq!(filters.len(), 1);
                let pattern: serde_json::Value = serde_json::from_str(filters[0]["Pattern"].as_str().unwrap()).unwrap();
                let image = &pattern["dynamodb"]["NewImage"];
                assert_eq!(image["status"]["S"][0], "cancelled");
                assert_eq!(image["payment_status"]["S"][0], "paid");
                assert_eq!(image["payment_method"]["S"][0], "paystack");
                continue;
            }
            if function == "expiry" {
                assert_eq!(
                    event["Type"].as_str(),
                    Some("ScheduleV2"),
                    "expiry runs on a schedule only"
                );
                assert_eq!(
                    event["Properties"]["ScheduleExpression"].as_str(),
                    Some("rate(1 minute)"),
                    "unpaid orders are cancelled within 2 minutes of expiring"
                );
                continue;
            }
            assert_eq!(event["Type"].as_str(), Some("HttpApi"));
            let props = &event["Properties"];
            match (props["Method"].as_str(), props["Path"].as_str()) {
                (Some(method), Some(path)) => {
                    mapped.insert((function.clone(), method.to_owned(), path.to_owned()));
                }
                // No method and no path: SAM's `$default` route.
                (None, None) => default_routes.push(function.clone()),
                other => panic!("{resource_name}: an event with only one of Method and Path: {other:?}"),
            }
        }
    }
    let mut expected = BTreeSet::new();
    for Route {
        function, method, path, ..
    } in ROUTES
    {
        expected.insert((function.to_string(), method.to_string(), path.to_string()));
        expected.insert((
            function.to_string(),
            method.to_string(),
            path.trim_end_matches('/').to_owned(),
        ));
    }
    assert_eq!(mapped, expected);
    assert_eq!(
        default_routes,
        [shared::platform::routes::FALLBACK_FUNCTION],
        "one function takes API Gateway's $default route: the one the local router falls back to"
    );
    assert_eq!(t["Globals"]["Function"]["Runtime"].as_str(), Some("provided.al2023"));
    assert_eq!(t["Globals"]["Function"]["Architectures"][0].as_str(), Some("arm64"));
    assert_eq!(t["Globals"]["Function"]["Handler"].as_str(), Some("bootstrap"));
}

#[test]
fn each_function_is_given_exactly_the_key_rings_it_uses_and_no_secret_sits_in_the_environment() {
    use shared::platform::keys::Purpose;
    use shared::platform::routes::{FUNCTIONS, key_rings_for};
    let t = template();
    let globals = &t["Globals"]["Function"]["Environment"]["Variables"];
    assert!(globals["JWT_SECRET"].is_null(), "no secret in the environment");
    for purpose in Purpose::ALL {
        assert_eq!(
            t["Resources"][purpose.resource()]["Type"].as_str(),
            Some("AWS::SecretsManager::Secret"),
            "{purpose:?}"
        );
        assert!(
            globals[purpose.secret_variable()].is_null(),
            "{purpose:?} is not for every function"
        );
    }
    for function in FUNCTIONS {
        let resource_name = format!("{}{}Function", function[..1].to_uppercase(), &function[1..]);
        let resource = &t["Resources"][resource_name.as_str()];
        let env = &resource["Properties"]["Environment"]["Variables"];
        assert!(env["JWT_SECRET"].is_null(), "{function}");
        let readable: BTreeSet<String> = resource["Properties"]["Policies"]
            .as_sequence()
            .into_iter()
            .flatten()
            .flat_map(|p| p["Statement"].as_sequence().cloned().unwrap_or_default())
            .filter(|s| {
                serde_yaml::to_string(&s["Action"])
                    .unwrap()
                    .contains("secretsmanager:GetSecretValue")
            })
            .flat_map(|s| s["Resource"].as_sequence().cloned().unwrap_or_default())
            .map(|r| r["Ref"].as_str().unwrap_or("(not a Ref to a secret)").to_owned())
            .collect();
        let needs = key_rings_for(function);
        let mut expected: BTreeSet<String> = needs.iter().map(|p| p.resource().to_owned()).collect();
        if shared::platform::routes::holds_paystack_key(function) {
            expected.insert("PaystackSecret".to_owned());
            assert_eq!(
                env["PAYSTACK_SECRET_ID"]["Ref"].as_str(),
                Some("PaystackSecret"),
                "{function}"
            );
        } else {
            assert!(
                env["PAYSTACK_SECRET_ID"].is_null(),
                "{function} has no business with Paystack's key"
            );
        }
        assert_eq!(readable, expected, "{function} reads exactly its secrets");
        for purpose in Purpose::ALL {
            let named = env[purpose.secret_variable()]["Ref"].as_str();
            if needs.contains(&purpose) {
                assert_eq!(named, Some(purpose.resource()), "{function}: {purpose:?}");
            } else {
                assert!(
                    env[purpose.secret_variable()].is_null(),
                    "{function} has no business with {purpose:?}"
                );
            }
        }
    }
}

#[test]
fn the_front_door_forwards_exactly_the_request_headers_the_list_says_are_read() {
    use shared::platform::routes::{REQUEST_HEADERS, SetBy};
    let t = template();
    let config = &t["Resources"]["FrontDoor"]["Properties"]["DistributionConfig"];
    let origin = &config["Origins"][0];
    assert_eq!(origin["Id"].as_str(), Some("api"));
    let lower = |v: &Value| -> BTreeSet<String> {
        v.as_sequence()
            .unwrap()
            .iter()
            .map(|h| h.as_str().unwrap().to_lowercase())
            .collect()
    };
    let forwarded = lower(
        &t["Resources"]["ApiOriginRequestPolicy"]["Properties"]["OriginRequestPolicyConfig"]["HeadersConfig"]["Headers"],
    );
    let keyed = lower(
        &t["Resources"]["ApiCachePolicy"]["Properties"]["CachePolicyConfig"]["ParametersInCacheKeyAndForwardedToOrigin"]
            ["HeadersConfig"]["Headers"],
    );
    let added: BTreeSet<String> = origin["OriginCustomHeaders"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|h| h["HeaderName"].as_str().unwrap().to_lowercase())
        .collect();
    let listed = |by: SetBy| -> BTreeSet<String> {
        REQUEST_HEADERS
            .iter()
            .filter(|h| h.set_by == by)
            .map(|h| h.name.to_lowercase())
            .collect()
    };
    let reaches: BTreeSet<String> = forwarded
        .union(&keyed)
        .filter(|h| !h.starts_with("cloudfront-"))
        .cloned()
        .collect();
    assert_eq!(
        reaches,
        listed(SetBy::Viewer),
        "the viewer headers the cache and origin request policies forward are the ones something reads"
    );
    let generated: BTreeSet<String> = forwarded
        .iter()
        .filter(|h| h.starts_with("cloudfront-"))
        .cloned()
        .collect();
    assert_eq!(generated, listed(SetBy::CloudFront), "CloudFront's own headers");
    assert_eq!(added, listed(SetBy::Origin), "the API origin's custom headers");
    assert!(!reaches.contains("host"), "API Gateway needs its own Host");
    assert!(
        keyed.contains("authorization"),
        "cached answers are never shared across callers"
    );

    let value = serde_yaml::to_string(&origin["OriginCustomHeaders"][0]["HeaderValue"]).unwrap();
    let env = serde_yaml::to_string(&t["Globals"]["Function"]["Environment"]["Variables"]["ORIGIN_VERIFY"]).unwrap();
    assert_eq!(value, env, "CloudFront adds the value every function expects");
    assert!(value.contains("OriginVerifySecret"));
    assert_eq!(
        origin["CustomOriginConfig"]["OriginProtocolPolicy"].as_str(),
        Some("https-only")
    );
    assert_eq!(
        t["Outputs"]["ApiUrl"]["Value"]["Fn::Sub"].as_str(),
        Some("https://${FrontDoor.DomainName}"),
        "clients are given the front door"
    );
}

/// Every request header read in the functions and the library goes through the list
/// (`RequestHeader::read` / `take`), so the list, and with it the edge, cannot miss one.
#[test]
fn request_headers_are_read_only_through_the_header_list() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let patterns = [
        "headers.get(",
        "headers().get(",
        "headers.remove(",
        "headers.contains_key(",
        "headers.get_all(",
        "TypedHeader",
        "header::AUTHORIZATION",
    ];
    let mut offenders = Vec::new();
    let mut stack = vec![root.join("shared/src"), root.join("functions")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") || path.ends_with("platform/routes.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // Unit tests may build and inspect requests as they like.
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for (n, line) in code.lines().enumerate() {
                if patterns.iter().any(|p| line.contains(p)) {
                    offenders.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "read request headers through shared::platform::routes::REQUEST_HEADERS:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn the_waf_rate_rule_for_auth_covers_every_auth_route() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../infra/edge.yaml");
    let edge: Value = serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let rules = edge["Resources"]["WebAcl"]["Properties"]["Rules"]
        .as_sequence()
        .unwrap();
    let auth = rules
        .iter()
        .find(|r| r["Name"].as_str() == Some("auth-routes-per-address"))
        .unwrap();
    let scope = &auth["Statement"]["RateBasedStatement"]["ScopeDownStatement"]["ByteMatchStatement"];
    let prefix = scope["SearchString"].as_str().unwrap();
    assert_eq!(scope["PositionalConstraint"].as_str(), Some("STARTS_WITH"));
    assert_eq!(
        auth["Statement"]["RateBasedStatement"]["AggregateKeyType"].as_str(),
        Some("IP")
    );
    for route in ROUTES
        .iter()
        .filter(|r| r.function == "signup" || r.function == "verify" || r.function == "login")
    {
        if route.path.starts_with("/api/auths/") {
            assert!(
                route.path.starts_with(prefix),
                "{} escapes the auth rate rule",
                route.path
            );
        }
    }
    for route in [
        "/api/auths/signup/",
        "/api/auths/login/",
        "/api/auths/resend-otp/",
        "/api/auths/password/forgot/",
    ] {
        assert!(route.starts_with(prefix), "{route}");
    }
    assert_eq!(
        auth["Action"]["Block"]["CustomResponse"]["ResponseCode"].as_i64(),
        Some(429)
    );
}

#[test]
fn each_stream_consumer_waits_out_a_short_outage_inside_its_timeout_and_the_local_stream_retries_as_the_mapping() {
    let t = template();
    let default_patience =
        shared::config::Config::from_lookup(|name| (name == "TABLE_NAME").then(|| "any-table".to_owned()))
            .expect("a configuration with the defaults")
            .stream_patience;
    for (function, local_retries, local_batch) in [
        (
            "NotifierFunction",
            notifier::local::RETRIES,
            notifier::local::BATCH_SIZE,
        ),
        (
            "PaymentsFunction",
            notifier::local::REFUND_RETRIES,
            notifier::local::REFUND_BATCH_SIZE,
        ),
    ] {
        let props = &t["Resources"][function]["Properties"];
        let timeout = props["Timeout"]
            .as_u64()
            .or(t["Globals"]["Function"]["Timeout"].as_u64())
            .unwrap_or(3);
        let patience = props["Environment"]["Variables"]["STREAM_PATIENCE_MS"]
            .as_str()
            .map(|ms| std::time::Duration::from_millis(ms.parse().unwrap()))
            .unwrap_or(default_patience);
        assert!(
            patience.as_secs() + 4 <= timeout,
            "{function}: patience {patience:?} leaves no room in a {timeout} s timeout"
        );
        let stream = props["Events"]
            .as_mapping()
            .and_then(|events| events.values().find(|e| e["Type"].as_str() == Some("DynamoDB")))
            .unwrap_or_else(|| panic!("{function} reads the stream"));
        assert_eq!(
            stream["Properties"]["MaximumRetryAttempts"].as_u64(),
            Some(local_retries as u64),
            "{function}: the local stream retries as the mapping does"
        );
        assert_eq!(
            stream["Properties"]["BatchSize"].as_u64(),
            Some(local_batch as u64),
            "{function}: the local stream's batches are the mapping's"
        );
        // Every try waits out the patience: the retries cover at least half a minute.
        assert!(patience.as_secs() * (local_retries as u64 + 1) >= 30, "{function}");
    }
}

#[test]
fn the_notifier_reads_the_tables_stream_with_partial_failures_bounded_retries_and_a_failure_queue() {
    let t = template();
    let stream = &t["Resources"]["NotifierFunction"]["Properties"]["Events"]["TableStream"]["Properties"];
    assert_eq!(stream["Stream"]["Fn::GetAtt"][0].as_str(), Some("Table"));
    assert_eq!(stream["Stream"]["Fn::GetAtt"][1].as_str(), Some("StreamArn"));
    assert_eq!(
        stream["FunctionResponseTypes"][0].as_str(),
        Some("ReportBatchItemFailures")
    );
    assert_eq!(stream["BisectBatchOnFunctionError"].as_bool(), Some(true));
    assert!(stream["MaximumRetryAttempts"].as_u64().is_some_and(|n| n <= 10));
    assert_eq!(stream["DestinationConfig"]["OnFailure"]["Type"].as_str(), Some("SQS"));
    assert_eq!(
        stream["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0].as_str(),
        Some("NotifierFailures")
    );
    let alarm = &t["Resources"]["NotifierFailuresAlarm"]["Properties"];
    assert_eq!(alarm["Namespace"].as_str(), Some("AWS/SQS"));
    assert_eq!(
        alarm["Dimensions"][0]["Value"]["Fn::GetAtt"][0].as_str(),
        Some("NotifierFailures")
    );
    // The filters let through exactly what the notifications slice decides on: orders, tracked
    // dishes, payment anomalies.
    let patterns: Vec<serde_json::Value> = stream["FilterCriteria"]["Filters"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|f| serde_json::from_str(f["Pattern"].as_str().unwrap()).unwrap())
        .collect();
    let sks: Vec<String> = patterns
        .iter()
        .map(|p| p["dynamodb"]["Keys"]["SK"]["S"][0].to_string())
        .collect();
    assert_eq!(sks, [r#""ORDER""#, r#"{"prefix":"FOOD#"}"#, r#""PAYANOMALY""#]);
}

#[test]
fn the_front_door_serves_the_web_app_from_a_private_bucket_and_the_api_under_its_path() {
    let t = template();
    let config = &t["Resources"]["FrontDoor"]["Properties"]["DistributionConfig"];
    assert_eq!(config["DefaultCacheBehavior"]["TargetOriginId"].as_str(), Some("web"));
    assert_eq!(config["DefaultRootObject"].as_str(), Some("index.html"));
    let api = config["CacheBehaviors"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|b| b["PathPattern"].as_str() == Some("/api/*"))
        .expect("a behaviour for /api/*");
    assert_eq!(api["TargetOriginId"].as_str(), Some("api"));
    assert_eq!(api["CachePolicyId"]["Ref"].as_str(), Some("ApiCachePolicy"));
    let web = config["Origins"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|o| o["Id"].as_str() == Some("web"))
        .unwrap();
    assert_eq!(web["DomainName"]["Fn::GetAtt"][0].as_str(), Some("WebBucket"));
    assert_eq!(
        web["OriginAccessControlId"]["Fn::GetAtt"][0].as_str(),
        Some("WebOriginAccessControl")
    );
    let block = &t["Resources"]["WebBucket"]["Properties"]["PublicAccessBlockConfiguration"];
    for setting in [
        "BlockPublicAcls",
        "BlockPublicPolicy",
        "IgnorePublicAcls",
        "RestrictPublicBuckets",
    ] {
        assert_eq!(block[setting].as_bool(), Some(true), "{setting}");
    }
    let statement = &t["Resources"]["WebBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0];
    assert_eq!(
        statement["Principal"]["Service"].as_str(),
        Some("cloudfront.amazonaws.com")
    );
    assert_eq!(statement["Action"].as_str(), Some("s3:GetObject"));
    let only = serde_yaml::to_string(&statement["Condition"]).unwrap();
    assert!(
        only.contains("distribution/${FrontDoor}"),
        "only this distribution reads it: {only}"
    );
}

/// A YAML list of strings.
fn names_of(v: &serde_yaml::Value) -> Vec<String> {
    v.as_sequence()
        .map(|l| l.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

#[test]
fn every_answer_of_the_front_door_carries_the_security_headers() {
    let locals = api_tests::edge::Locals {
        origin_verify: "x".into(),
        ..Default::default()
    };
    let edge = api_tests::edge::Edge::from_template(&locals).expect("the edge");
    for path in ["/", "/index.html", "/assets/app.js", "/api/foods/"] {
        let mut headers = http::HeaderMap::new();
        edge.finish_response(edge.behaviour(path), &mut headers);
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let csp = header("content-security-policy");
        let directive = |name: &str| {
            csp.split(';')
                .map(str::trim)
                .find(|d| d.starts_with(&format!("{name} ")))
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(directive("script-src"), "script-src 'self'", "{path}: no inline script");
        assert_eq!(directive("frame-ancestors"), "frame-ancestors 'none'", "{path}");
        assert_eq!(
            directive("img-src").trim(),
            "img-src 'self' data:",
            "{path}: pictures from the app only, by default"
        );
        assert!(
            header("strict-transport-security").starts_with("max-age=63072000"),
            "{path}"
        );
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("referrer-policy"), "strict-origin-when-cross-origin", "{path}");
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
    }
    // The images origin, when a stack names one, is the only other source of pictures.
    let mut locals = locals;
    locals
        .parameters
        .insert("ImagesOrigin".into(), "https://pictures.example.ng".into());
    let edge = api_tests::edge::Edge::from_template(&locals).expect("the edge");
    let mut headers = http::HeaderMap::new();
    edge.finish_response(edge.behaviour("/"), &mut headers);
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("img-src 'self' data: https://pictures.example.ng;")
    );
}

#[test]
fn api_gateways_own_url_reaches_no_stage_without_the_secret_only_cloudfront_holds() {
    let t = template();
    let stage = &t["Resources"]["HttpApi"]["Properties"]["StageName"]["Fn::Sub"];
    assert_eq!(
        stage.as_str(),
        Some("{{resolve:secretsmanager:${ApiStageSecret}:SecretString}}"),
        "no $default stage: the one stage is named with the secret"
    );
    let secret = &t["Resources"]["ApiStageSecret"]["Properties"]["GenerateSecretString"];
    assert_eq!(
        secret["ExcludePunctuation"].as_bool(),
        Some(true),
        "a stage name is letters and digits"
    );
    assert!(
        secret["PasswordLength"]
            .as_u64()
            .is_some_and(|n| (32..=128).contains(&n))
    );
    let api = t["Resources"]["FrontDoor"]["Properties"]["DistributionConfig"]["Origins"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|o| o["Id"].as_str() == Some("api"))
        .unwrap()
        .clone();
    assert_eq!(
        api["OriginPath"]["Fn::Sub"].as_str(),
        Some("/{{resolve:secretsmanager:${ApiStageSecret}:SecretString}}"),
        "CloudFront calls the stage by its secret name"
    );
    // No function reads the stage's name: the path prefix is taken off before routing.
    for (name, resource) in t["Resources"].as_mapping().unwrap() {
        if resource["Type"].as_str() == Some("AWS::Serverless::Function") {
            let env = serde_yaml::to_string(&resource["Properties"]["Environment"]).unwrap();
            assert!(!env.contains("ApiStageSecret"), "{name:?}");
        }
    }
}

#[test]
fn a_production_stack_is_refused_without_the_waf() {
    let t = template();
    let rule = &t["Rules"]["ProductionHasTheWaf"];
    assert_eq!(rule["RuleCondition"]["Fn::Equals"][0]["Ref"].as_str(), Some("Stage"));
    assert_eq!(rule["RuleCondition"]["Fn::Equals"][1].as_str(), Some("prod"));
    let assert = &rule["Assertions"][0]["Assert"]["Fn::Not"][0]["Fn::Equals"];
    assert_eq!(assert[0]["Ref"].as_str(), Some("WebAclArn"));
    assert_eq!(assert[1].as_str(), Some(""));
}

#[test]
fn viewers_reach_the_front_door_over_ipv4_unless_asked_so_the_wafs_per_address_rules_count_lines() {
    let t = template();
    assert_eq!(t["Parameters"]["ViewerIpv6"]["Default"].as_str(), Some("false"));
    let ipv6 = &t["Resources"]["FrontDoor"]["Properties"]["DistributionConfig"]["IPV6Enabled"]["Fn::If"];
    assert_eq!(ipv6[0].as_str(), Some("ViewerIpv6Enabled"));
    assert_eq!((ipv6[1].as_bool(), ipv6[2].as_bool()), (Some(true), Some(false)));
    assert_eq!(
        t["Conditions"]["ViewerIpv6Enabled"]["Fn::Equals"][0]["Ref"].as_str(),
        Some("ViewerIpv6")
    );
}

/// `sam build` runs `cargo lambda build --bin <Binary>` in each function's `CodeUri`: from the
/// function's own folder cargo builds that package alone, with only the `shared` features it
/// asks for; from the workspace's root it would select every member and give each function the
/// features of all (the Paystack client, S3, the spreadsheet readers), a bigger binary and a
/// slower cold start.
#[test]
fn each_function_is_built_from_its_own_folder_with_only_its_own_features() {
    let t = template();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut built = 0;
    for (name, resource) in t["Resources"].as_mapping().unwrap() {
        if resource["Metadata"]["BuildMethod"].as_str() != Some("rust-cargolambda") {
            continue;
        }
        let binary = resource["Metadata"]["BuildProperties"]["Binary"].as_str().unwrap();
        let code_uri = resource["Properties"]["CodeUri"].as_str().unwrap();
        assert_eq!(code_uri, format!("../functions/{binary}/"), "{name:?}");
        let manifest = std::fs::read_to_string(root.join("infra").join(code_uri).join("Cargo.toml")).unwrap();
        assert!(
            manifest.contains(&format!("name = \"{binary}\"")),
            "{name:?}: {code_uri} builds {binary}"
        );
        built += 1;
    }
    assert_eq!(built, 11, "every function");
}
