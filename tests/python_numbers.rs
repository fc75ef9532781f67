//! Numbers in client_python's style are client_python's: thousands of values (integers, decimals,
//! wide magnitudes, random bit patterns) formatted by our `push_value_python` and by
//! prometheus_client's own `floatToGoString`, compared as text.

use std::io::Write;
use std::process::{Command, Stdio};

use prometheus_emulator::text::number::push_value_python;

/// A small deterministic generator (xorshift), so a failure reproduces.
fn values() -> Vec<f64> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut values = vec![0.0, -0.0, 1.0, 1e6, 1e7, 1e15, 1e16, 123456789.0, 0.1, 1e-5];
    for i in 0..4000u64 {
        let bits = next();
        values.push(match i % 4 {
            0 => (bits % 2_000_000_000_000) as f64 - 1e12,
            1 => (bits % 1_000_000_000) as f64 / 1000.0,
            2 => 10f64.powf((bits % 3700) as f64 / 100.0 - 12.0),
            _ => f64::from_bits(bits),
        });
    }
    values
}

#[test]
fn python_numbers_match_prometheus_clients_float_to_go_string() {
    let values = values();
    let script = "import sys\nfrom prometheus_client.utils import floatToGoString\nimport struct\n\
                  for line in sys.stdin:\n    \
                  print(floatToGoString(struct.unpack('<d', int(line).to_bytes(8, 'little'))[0]))\n";
    let child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("NOT RUN: python3 could not start ({e}); `make deps` installs it");
            return;
        }
        Err(e) => panic!("python3 could not start: {e}"),
    };
    let input: String = values
        .iter()
        .map(|v| format!("{}\n", v.to_bits()))
        .collect();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            std::env::var_os("CI").is_none() && stderr.contains("No module named"),
            "prometheus_client failed: {stderr}"
        );
        eprintln!("NOT RUN: prometheus_client is not installed (`make deps-pip`): {stderr}");
        return;
    }
    let theirs = String::from_utf8(output.stdout).unwrap();
    let theirs: Vec<&str> = theirs.lines().collect();
    assert_eq!(theirs.len(), values.len());
    let mut ours = String::new();
    for (value, theirs) in values.iter().zip(theirs) {
        ours.clear();
        push_value_python(&mut ours, *value);
        assert_eq!(ours, theirs, "{value:e} ({:#x})", value.to_bits());
    }
}
