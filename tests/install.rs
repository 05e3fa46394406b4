//! `make install PREFIX=...` puts the binary, its man page and completions where users and
//! their shells look for them (this test build stands in for the release binary: `BIN=`).

use std::path::Path;
use std::process::Command;

#[test]
fn make_install_puts_everything_under_the_prefix() {
    let tmp = tempfile::tempdir().unwrap();
    let prefix = tmp.path().join("usr");
    let out = Command::new("make")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("-s")
        .arg("install")
        .arg(format!("BIN={}", env!("CARGO_BIN_EXE_synack")))
        .arg(format!("PREFIX={}", prefix.display()))
        .arg(format!("ASSETS={}", tmp.path().join("assets").display()))
        .output()
        .expect("make runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = |rel: &str| {
        let p = prefix.join(rel);
        assert!(p.is_file(), "{rel} not installed");
        p
    };
    let bin = file("bin/synack");
    let v = Command::new(&bin).arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&v.stdout).contains("libpcap: libpcap version"));
    let man = file("share/man/man1/synack.1.gz");
    let roff = Command::new("zcat").arg(&man).output().unwrap().stdout;
    assert!(String::from_utf8_lossy(&roff).contains(".TH synack 1"));
    let read = |p: &Path| std::fs::read_to_string(p).unwrap();
    assert!(read(&file("share/bash-completion/completions/synack")).contains("complete -F _synack"));
    assert!(read(&file("share/zsh/site-functions/_synack")).starts_with("#compdef synack"));
    assert!(
        read(&file("share/fish/vendor_completions.d/synack.fish")).contains("complete -c synack")
    );
}
