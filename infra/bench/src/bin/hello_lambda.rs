//! The smallest useful Lambda: answers every invocation with a fixed JSON body. The benchmark
//! starts it side by side with each function to measure what our start-up adds, and runs it warm
//! as the floor of what one invocation costs. `HELLO_RUNTIME=multi_thread` runs it on tokio's
//! multi-thread runtime instead of `current_thread` (what every function uses), to measure that choice.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

fn main() -> Result<(), Error> {
    let multi_thread = std::env::var("HELLO_RUNTIME").is_ok_and(|v| v == "multi_thread");
    let mut runtime = if multi_thread {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    runtime
        .enable_all()
        .build()?
        .block_on(lambda_runtime::run(service_fn(|_event: LambdaEvent<Value>| async {
            Ok::<_, Error>(json!({"statusCode": 200, "body": "hello"}))
        })))
}
