//! Shell completions, the manual page and `--version`, as the binary prints them. The
//! completions and the man page are snapshots (tests/snapshots/): they come from the same
//! definition as `--help`, so a changed option shows up here for review.

use std::process::Command;

fn synack(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_synack"))
        .args(args)
        .output()
        .expect("synack runs");
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn completion_scripts() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = synack(&["--completions", shell]);
        // Every shell's script knows the options.
        assert!(script.contains("zeek-json"), "{shell}");
        insta::assert_snapshot!(format!("completions_{shell}"), script);
    }
}

#[test]
fn manual_page() {
    let man = synack(&["--man"]);
    assert!(man.contains(".TH synack 1"));
    assert!(man.contains("completions"));
    insta::assert_snapshot!("man_page", man);
}

#[test]
fn an_unknown_shell_is_one_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_synack"))
        .args(["--completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("invalid value 'tcsh'"), "{err}");
}

#[test]
fn version_names_the_commit_and_the_libpcap_it_runs_on() {
    let v = synack(&["--version"]);
    let lines: Vec<&str> = v.lines().collect();
    assert_eq!(lines[0], format!("synack {}", env!("CARGO_PKG_VERSION")));
    let commit = lines[1].strip_prefix("commit: ").expect("a commit line");
    assert!(
        commit == "unknown"
            || (commit.len() == 12 && commit.bytes().all(|b| b.is_ascii_hexdigit())),
        "{commit}"
    );
    assert!(lines[2].starts_with("libpcap: libpcap version "), "{v}");
    // -V stays short.
    assert_eq!(
        synack(&["-V"]).trim(),
        format!("synack {}", env!("CARGO_PKG_VERSION"))
    );
}
