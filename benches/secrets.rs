//! Throughput of the secret guard with the full built-in rule set, on one core.
//!
//! The input is the added content of the 20k-file change `benches/gen-monorepo.py` writes
//! (20 000 base files, then 20 000 changed: half modified a few hunks each, half new): the whole
//! text of each new file and the added lines of each modified one, as review hands them to the
//! guard. Each iteration scans every file once with `RuleSet::scan` (the one scan entry point);
//! the figure is MB/s of added content per second of the scanning thread's CPU time (one core;
//! wall time on a shared machine would measure the other processes too).
//!
//! Run: `cargo bench --bench secrets` (needs python3; `BERRY_BENCH_FILES=2000` for a smaller
//! change). The target is at least 300 MB/s in a release build.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use std::time::{Duration, Instant};

use criterion::measurement::{Measurement, ValueFormatter};
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

/// The CPU time of the calling thread: what "on one core" means on a machine other work shares.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a plain syscall filling `ts`.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Criterion's measurement of the scanning thread's CPU time (criterion's default is wall time,
/// which on a shared machine measures the other processes too).
struct ThreadCpu;

impl Measurement for ThreadCpu {
    type Intermediate = Duration;
    type Value = Duration;
    fn start(&self) -> Duration {
        thread_cpu()
    }
    fn end(&self, start: Duration) -> Duration {
        thread_cpu().saturating_sub(start)
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, v: &Duration) -> f64 {
        v.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &CpuFormatter
    }
}

struct CpuFormatter;

impl ValueFormatter for CpuFormatter {
    fn scale_values(&self, ns: f64, values: &mut [f64]) -> &'static str {
        let (factor, unit) = if ns < 1e6 {
            (1e-3, "µs (CPU)")
        } else if ns < 1e9 {
            (1e-6, "ms (CPU)")
        } else {
            (1e-9, "s (CPU)")
        };
        values.iter_mut().for_each(|v| *v *= factor);
        unit
    }

    fn scale_throughputs(&self, _typical: f64, t: &Throughput, values: &mut [f64]) -> &'static str {
        let bytes = match *t {
            Throughput::Bytes(b) | Throughput::BytesDecimal(b) => b as f64,
            _ => 1.0,
        };
        values
            .iter_mut()
            .for_each(|v| *v = bytes / (*v * 1e-9) / 1e6);
        "MB/s (CPU)"
    }

    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

fn scan_all(rules: &RuleSet, input: &[(String, Vec<u8>)]) -> usize {
    let mut hits = 0usize;
    for (path, content) in input {
        hits += rules.scan(path, content).len();
    }
    hits
}

fn bench(c: &mut Criterion<ThreadCpu>) {
    let input = added_content();
    let bytes: usize = input.iter().map(|(_, b)| b.len()).sum();
    let rules = RuleSet::builtin();
    // One pass first (it also compiles the rules): the figure benches/README.md quotes.
    let (cpu0, wall0) = (thread_cpu(), Instant::now());
    let hits = scan_all(&rules, &input);
    let (cpu, wall) = (thread_cpu() - cpu0, wall0.elapsed());
    let (cpu1, wall1) = (thread_cpu(), Instant::now());
    std::hint::black_box(scan_all(&rules, &input));
    let (cpu_2, wall_2) = (thread_cpu() - cpu1, wall1.elapsed());
    let mb = bytes as f64 / 1e6;
    eprintln!(
        "secret guard: {} files, {mb:.1} MB of added content, {} rules, {hits} findings",
        input.len(),
        rules.rules().len(),
    );
    eprintln!(
        "  first pass (compiles the rules): {:.0} MB/s CPU ({:.2} s), {:.0} MB/s wall",
        mb / cpu.as_secs_f64(),
        cpu.as_secs_f64(),
        mb / wall.as_secs_f64()
    );
    eprintln!(
        "  second pass: {:.0} MB/s CPU ({:.2} s), {:.0} MB/s wall",
        mb / cpu_2.as_secs_f64(),
        cpu_2.as_secs_f64(),
        mb / wall_2.as_secs_f64()
    );
    let mut g = c.benchmark_group("secret-guard");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    g.bench_function("scan added content (full rule set)", |b| {
        b.iter(|| std::hint::black_box(scan_all(&rules, &input)))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(ThreadCpu);
    targets = bench
}
criterion_main!(benches);
