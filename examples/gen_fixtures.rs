//! Writes every fixture of `synack::gen::scenarios`, and `README.md` describing them, into
//! `fixtures/` (or the directory given).

use std::fmt::Write as _;

const HEADER: &str = "# Fixtures

Every capture here is written by the project's own generator (`src/gen/`): scripted TCP
conversations framed with etherparse's `PacketBuilder` and saved with libpcap
(`Capture::dead(..).savefile()`), or with `pcap-file` for pcapng and big-endian files.
Regenerate them all, with this file, by

    cargo run --example gen_fixtures

`tests/fixtures.rs` checks that the committed files are byte for byte what the generator
writes now, so a fixture cannot drift from the code that describes it. Addresses are from
documentation ranges or private ranges; the capture clock starts at 2024-03-01T10:00:00Z.

| file | what it shows |
|---|---|
";

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "fixtures".into());
    let dir = std::path::Path::new(&dir);
    std::fs::create_dir_all(dir).expect("create the output directory");
    let mut readme = String::from(HEADER);
    for f in synack::gen::scenarios::all() {
        if let Err(e) = synack::gen::scenarios::write(&f, dir) {
            eprintln!("{}: {e}", f.name);
            std::process::exit(1);
        }
        let _ = writeln!(readme, "| `{}` | {} |", f.name, f.about);
        println!("{}", f.name);
    }
    std::fs::write(dir.join("README.md"), readme).expect("write README.md");
}
