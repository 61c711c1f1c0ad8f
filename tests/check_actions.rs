//! `check-actions TEMPLATE ACTIONS_LOG`: fails (exit 1) when a function performed an AWS action
//! its policy in the template does not grant, or a policy grants an action no code path of its
//! function used. Run by `infra/local/dev.sh test` after the tests and the fuzzing.

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(template), Some(log)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: check-actions TEMPLATE ACTIONS_LOG");
        return std::process::ExitCode::from(2);
    };
    let read = |path: &str| std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"));
    let (template, log) = match (read(template), read(log)) {
        (Ok(t), Ok(l)) => (t, l),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("check-actions: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let template: serde_yaml::Value = match serde_yaml::from_str(&template) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("check-actions: the template is not YAML: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let recorded = api_tests::actions::recorded(&log);
    if recorded.is_empty() {
        eprintln!("check-actions: no action was recorded (is ACTIONS_LOG set for the tests?)");
        return std::process::ExitCode::from(1);
    }
    let problems = api_tests::actions::problems(&api_tests::actions::granted(&template), &recorded);
    for p in &problems {
        eprintln!("check-actions: {p}");
    }
    let actions: usize = recorded.values().map(|s| s.len()).sum();
    if problems.is_empty() {
        println!(
            "check-actions: {actions} actions of {} functions, each allowed by its policy and every grant used",
            recorded.len()
        );
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::from(1)
    }
}
