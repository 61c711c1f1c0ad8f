//! AWS actions against IAM policies: what each function was seen doing while the tests and the
//! fuzzing ran (`ACTIONS_LOG`, written by `shared::platform::actions`) held against what its
//! policy in `infra/template.yaml` grants, on the right kind of resource (the table, its indexes,
//! or something else). Both ways: an action the policy does not grant fails on AWS with
//! AccessDenied; a grant no code path uses is privilege nobody needs.

use std::collections::{BTreeMap, BTreeSet};

use serde_yaml::Value;

/// (action, resource kind: `table`, `index` or `other`).
pub type Action = (String, String);
pub type ByFunction = BTreeMap<String, BTreeSet<Action>>;

/// The kind of resource a policy's `Resource` entry names: `table`, `index`, a key ring's secret
/// by its resource name, or `other`.
fn resource_kind(resource: &Value) -> String {
    let text = serde_yaml::to_string(resource).unwrap_or_default();
    if let Some(secret) = shared::platform::keys::Purpose::ALL
        .iter()
        .map(|p| p.resource())
        .chain(["PaystackSecret"])
        .find(|name| resource["Ref"].as_str() == Some(*name))
    {
        secret.to_owned()
    } else if text.contains("ImagesBucket") {
        "images".into()
    } else if text.contains("/index/") {
        "index".into()
    } else if text.contains("Table") && text.contains("Arn") {
        "table".into()
    } else {
        "other".into()
    }
}

/// What each function's policies grant, by function binary name.
pub fn granted(template: &Value) -> ByFunction {
    let mut out = ByFunction::new();
    let Some(resources) = template["Resources"].as_mapping() else {
        return out;
    };
    for (_, resource) in resources {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let Some(function) = resource["Metadata"]["BuildProperties"]["Binary"].as_str() else {
            continue;
        };
        let grants = out.entry(function.to_owned()).or_default();
        for policy in resource["Properties"]["Policies"].as_sequence().into_iter().flatten() {
            for statement in policy["Statement"].as_sequence().into_iter().flatten() {
                if statement["Effect"].as_str() != Some("Allow") {
                    continue;
                }
                let actions: Vec<String> = match &statement["Action"] {
                    Value::Sequence(list) => list.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
                    Value::String(one) => vec![one.clone()],
                    _ => Vec::new(),
                };
                let kinds: BTreeSet<String> = match (&statement["Resource"], &statement["NotResource"]) {
                    (Value::Sequence(list), _) => list.iter().map(resource_kind).collect(),
                    (Value::Null, Value::Null) => BTreeSet::new(),
                    (Value::Null, _) => BTreeSet::from(["other".to_owned()]),
                    (one, _) => BTreeSet::from([resource_kind(one)]),
                };
                for action in &actions {
                    for kind in &kinds {
                        grants.insert((action.clone(), kind.clone()));
                    }
                }
            }
        }
    }
    out
}

/// What the functions were seen doing: lines of `function\taction\tresource`.
pub fn recorded(log: &str) -> ByFunction {
    let mut out = ByFunction::new();
    for line in log.lines() {
        let mut parts = line.split('\t');
        if let (Some(f), Some(a), Some(r)) = (parts.next(), parts.next(), parts.next()) {
            out.entry(f.to_owned())
                .or_default()
                .insert((a.to_owned(), r.to_owned()));
        }
    }
    out
}

/// Every mismatch, one sentence each.
pub fn problems(granted: &ByFunction, recorded: &ByFunction) -> Vec<String> {
    let mut out = Vec::new();
    let empty = BTreeSet::new();
    for (function, used) in recorded {
        let allowed = granted.get(function).unwrap_or(&empty);
        for (action, kind) in used.difference(allowed) {
            out.push(format!(
                "{function} performs {action} on the {kind} but its policy does not allow it (AccessDenied on AWS)"
            ));
        }
    }
    for (function, allowed) in granted {
        let used = recorded.get(function).unwrap_or(&empty);
        for (action, kind) in allowed.difference(used) {
            out.push(format!(
                "{function}'s policy allows {action} on the {kind}, which no code path of it used"
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r#"
Resources:
  Table:
    Type: AWS::DynamoDB::Table
  LoginFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildProperties:
        Binary: login
    Properties:
      Policies:
      - Statement:
        - Effect: Allow
          Action:
          - dynamodb:GetItem
          - dynamodb:UpdateItem
          Resource:
          - Fn::GetAtt: [Table, Arn]
        - Effect: Allow
          Action: dynamodb:Query
          Resource:
          - Fn::Sub: ${Table.Arn}/index/*
        - Effect: Allow
          Action:
          - sns:Publish
          NotResource:
            Fn::Sub: arn:${AWS::Partition}:sns:*:*:*
        - Effect: Allow
          Action:
          - secretsmanager:GetSecretValue
          Resource:
          - Ref: TokenKeysSecret
"#;

    fn template() -> Value {
        serde_yaml::from_str(TEMPLATE).unwrap()
    }

    #[test]
    fn grants_are_read_per_function_and_resource_kind() {
        let g = granted(&template());
        let login = &g["login"];
        assert!(login.contains(&("dynamodb:GetItem".into(), "table".into())));
        assert!(login.contains(&("dynamodb:Query".into(), "index".into())));
        assert!(!login.contains(&("dynamodb:Query".into(), "table".into())));
        assert!(login.contains(&("sns:Publish".into(), "other".into())));
        assert!(login.contains(&("secretsmanager:GetSecretValue".into(), "TokenKeysSecret".into())));
    }

    #[test]
    fn reading_another_rings_secret_is_reported() {
        let log = "login\tdynamodb:GetItem\ttable\nlogin\tdynamodb:UpdateItem\ttable\n\
                   login\tdynamodb:Query\tindex\nlogin\tsns:Publish\tother\n\
                   login\tsecretsmanager:GetSecretValue\tCodeKeysSecret\n";
        let p = problems(&granted(&template()), &recorded(log));
        assert!(
            p.iter()
                .any(|m| m.contains("GetSecretValue on the CodeKeysSecret but its policy")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|m| m.contains("allows secretsmanager:GetSecretValue on the TokenKeysSecret")),
            "{p:?}"
        );
    }

    #[test]
    fn an_action_the_policy_lacks_and_a_grant_nobody_uses_are_both_reported() {
        let log = "login\tdynamodb:GetItem\ttable\nlogin\tdynamodb:UpdateItem\ttable\n\
                   login\tdynamodb:DeleteItem\ttable\nlogin\tdynamodb:Query\ttable\nlogin\tsns:Publish\tother\n\
                   login\tsecretsmanager:GetSecretValue\tTokenKeysSecret\n";
        let p = problems(&granted(&template()), &recorded(log));
        assert!(
            p.iter()
                .any(|m| m.contains("login performs dynamodb:DeleteItem on the table")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|m| m.contains("login performs dynamodb:Query on the table")),
            "{p:?}"
        );
        assert!(
            p.iter().any(|m| m.contains("allows dynamodb:Query on the index")),
            "{p:?}"
        );
        assert_eq!(p.len(), 3, "{p:?}");
    }

    #[test]
    fn matching_use_and_grants_are_clean() {
        let log = "login\tdynamodb:GetItem\ttable\nlogin\tdynamodb:UpdateItem\ttable\n\
                   login\tdynamodb:Query\tindex\nlogin\tsns:Publish\tother\n\
                   login\tsecretsmanager:GetSecretValue\tTokenKeysSecret\n";
        assert!(problems(&granted(&template()), &recorded(log)).is_empty());
    }
}
