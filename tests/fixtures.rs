//! The committed fixtures are exactly what the generator writes, and each is documented.

mod common;

#[test]
fn committed_fixtures_match_the_generator_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = synack::gen::scenarios::all();
    assert!(fixtures.len() >= 30);
    for f in &fixtures {
        synack::gen::scenarios::write(f, dir.path()).unwrap();
        let fresh = std::fs::read(dir.path().join(f.name)).unwrap();
        let committed =
            std::fs::read(common::root().join("fixtures").join(f.name)).unwrap_or_else(|_| {
                panic!(
                    "fixtures/{} missing: cargo run --example gen_fixtures",
                    f.name
                )
            });
        assert!(
            fresh == committed,
            "fixtures/{} differs from what the generator writes now: run `cargo run --example gen_fixtures`",
            f.name
        );
    }
}

#[test]
fn every_fixture_file_is_described_in_the_readme() {
    let readme = std::fs::read_to_string(common::root().join("fixtures/README.md")).unwrap();
    let names: Vec<&str> = synack::gen::scenarios::all()
        .iter()
        .map(|f| f.name)
        .collect();
    for entry in std::fs::read_dir(common::root().join("fixtures")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name == "README.md" {
            continue;
        }
        assert!(
            names.contains(&name.as_str()),
            "fixtures/{name} is not made by the generator"
        );
        assert!(
            readme.contains(&format!("`{name}`")),
            "fixtures/README.md does not describe {name}"
        );
    }
}
