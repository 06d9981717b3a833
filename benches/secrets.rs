//! Throughput of the secret guard with the full built-in rule set, on one core.
//!
//! The input is the added content of the 20k-file change `benches/gen-monorepo.py` writes
//! (20 000 base files, then 20 000 changed: half modified a few hunks each, half new): the whole
//! text of each new file and the added lines of each modified one, as review hands them to the
//! guard. Each iteration scans every file once with `RuleSet::scan` (the one scan entry point);
//! the figure is MB/s of added content.
//!
//! Run: `cargo bench --bench secrets` (needs python3; `BERRY_BENCH_FILES=2000` for a smaller
//! change). The target is at least 300 MB/s in a release build.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use berry::secrets::RuleSet;

fn read_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// (path, added content) of the generated change.
fn added_content() -> Vec<(String, Vec<u8>)> {
    let files: usize = std::env::var("BERRY_BENCH_FILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let dir = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/gen-monorepo.py");
    let generate = |args: &[&str]| {
        let st = Command::new("python3")
            .arg(&script)
            .arg(dir.path())
            .args(args)
            .status()
            .expect("python3 runs gen-monorepo.py");
        assert!(st.success());
    };
    let n = files.to_string();
    generate(&["--files", &n, "--phase", "base"]);
    let base = read_tree(dir.path());
    generate(&["--files", &n, "--phase", "change", "--changed", &n]);
    let changed = read_tree(dir.path());
    let mut out = Vec::new();
    for (path, new) in changed {
        match base.get(&path) {
            Some(old) if *old == new => {}
            Some(old) => {
                let d = berry::diffview::compute(old, &new);
                let mut text = String::new();
                for (_, line) in d.added {
                    text.push_str(&line);
                    text.push('\n');
                }
                out.push((path, text.into_bytes()));
            }
            None => out.push((path, new)),
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let input = added_content();
    let bytes: usize = input.iter().map(|(_, b)| b.len()).sum();
    let rules = RuleSet::builtin();
    eprintln!(
        "secret guard: {} files, {:.1} MB of added content, {} rules",
        input.len(),
        bytes as f64 / 1e6,
        rules.rules().len()
    );
    let mut g = c.benchmark_group("secret-guard");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    g.bench_function("scan added content (full rule set)", |b| {
        b.iter(|| {
            let mut hits = 0usize;
            for (path, content) in &input {
                hits += rules.scan(path, content).len();
            }
            std::hint::black_box(hits)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
