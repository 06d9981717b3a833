use super::*;

fn builtin() -> Arc<RuleSet> {
    RuleSet::builtin()
}

/// Each built-in rule finds each of its true-positive examples on its own (with the global
/// allowlists in force), and the whole rule set finds none of any rule's false-positive examples.
#[test]
fn every_rule_finds_its_examples_and_no_rule_flags_the_counterexamples() {
    let file = builtin_examples();
    let all = builtin();
    let mut failures = Vec::new();
    for spec in &file.rules {
        assert!(
            !spec.tps.is_empty(),
            "rule {} has no true-positive example",
            spec.id
        );
        assert!(
            !spec.fps.is_empty(),
            "rule {} has no false-positive example",
            spec.id
        );
        let alone = RuleSet::compile(&RuleFile {
            rules: vec![spec.clone()],
            allowlists: file.allowlists.clone(),
            ..RuleFile::default()
        })
        .unwrap();
        for tp in &spec.tps {
            let hits = alone.scan("config/app.env", tp.as_bytes());
            if !hits.iter().any(|h| h.rule_id == spec.id) {
                failures.push(format!("{}: missed {tp:?}", spec.id));
            }
            if all.scan("config/app.env", tp.as_bytes()).is_empty() {
                failures.push(format!("{}: the whole set missed {tp:?}", spec.id));
            }
        }
        for fp in &spec.fps {
            let hits = all.scan("config/app.env", fp.as_bytes());
            if !hits.is_empty() {
                failures.push(format!(
                    "{}: flagged {fp:?} as {:?}",
                    spec.id,
                    hits.iter().map(|h| &h.rule_id).collect::<Vec<_>>()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_builtin_set_covers_two_hundred_providers() {
    let providers: HashSet<&str> = builtin_examples()
        .rules
        .iter()
        .flat_map(|r| r.tags.iter())
        .filter_map(|t| t.strip_prefix("provider:"))
        .filter(|p| *p != "generic")
        .collect();
    assert!(providers.len() >= 200, "{} providers", providers.len());
    assert!(
        builtin_examples()
            .rules
            .iter()
            .all(|r| r.tags.iter().any(|t| t.starts_with("provider:")))
    );
}

#[test]
fn a_secret_is_masked_and_the_rest_of_the_text_kept() {
    let tok = "ghp_Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz9Xc8";
    let text = format!("token = \"{tok}\" and more");
    let masked = mask_with(&text, &builtin(), &[]);
    assert_eq!(masked, "token = \"ghp_…(40 chars)\" and more");
    assert!(matches!(
        mask_with("plain words", &builtin(), &[]),
        Cow::Borrowed(_)
    ));
}

#[test]
fn known_values_are_masked_even_without_a_rule() {
    let m = mask_with(
        "password hunter2-but-longer in the log",
        &builtin(),
        &["hunter2-but-longer".into()],
    );
    assert_eq!(m, "password …(18 chars) in the log");
}

#[test]
fn a_pem_private_key_is_found_and_masked_whole() {
    let body: Vec<String> = (0..8)
        .map(|i| format!("MIIEow{i}IBAAKCAQEAs9Qx7v1R2k4mJcXg8zNhYp5WbTLdUqFo3eKiVrZy6jHaC0t"))
        .collect();
    let pem = format!(
        "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n",
        body.join("\n")
    );
    let text = format!("const key = `\n{pem}`;\n");
    let hits = builtin().scan("src/key.ts", text.as_bytes());
    assert_eq!(hits.len(), 1, "{hits:#?}");
    assert_eq!((hits[0].line, hits[0].end_line), (3, 10));
    let masked = mask_with(&text, &builtin(), &[]);
    for line in &body {
        assert!(!masked.contains(line.as_str()), "{masked}");
    }
    assert!(masked.contains("-----BEGIN RSA PRIVATE KEY-----"));
    assert!(masked.contains("MIIE…("), "{masked}");
}

#[test]
fn a_service_account_json_private_key_is_masked_whole() {
    let key = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\\nMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\\nNMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s+CLOyS56YyCFGeJZ\\n";
    let json = format!(
        "{{\n  \"type\": \"service_account\",\n  \"private_key_id\": \"abc\",\n  \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n{key}-----END PRIVATE KEY-----\\n\",\n  \"client_email\": \"x@y.iam.gserviceaccount.com\"\n}}\n"
    );
    let masked = mask_with(&json, &builtin(), &[]);
    assert!(!masked.contains("MzEfYyjiWA4R4"), "{masked}");
    assert!(!masked.contains("NMoSfm76oqFvAp8"), "{masked}");
    assert!(masked.contains("client_email"), "{masked}");
    let ids: Vec<String> = builtin()
        .scan("sa.json", json.as_bytes())
        .into_iter()
        .map(|h| h.rule_id)
        .collect();
    assert!(ids.contains(&"json-private-key".to_string()), "{ids:?}");
}

#[test]
fn utf16_and_binary_content_is_scanned() {
    let tok = "ghp_Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz9Xc8";
    let text = format!("token={tok}\r\n");
    let mut le = vec![0xFF, 0xFE];
    le.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
    let hits = builtin().scan("a.txt", &le);
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits[0].decoded);
    assert_eq!(hits[0].secret, tok);
    let mut bin = vec![0u8, 1, 2, 3, 0, 0xFF];
    bin.extend_from_slice(tok.as_bytes());
    bin.extend_from_slice(&[0, 0, 7]);
    let hits = builtin().scan("a.bin", &bin);
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].secret, tok);
}

#[test]
fn placeholders_and_documented_examples_are_not_secrets() {
    for t in [
        "token = ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "key = AKIAXXXXXXXXXXXXXXXX",
        "key = AKIAIOSFODNN7EXAMPLE",
        "secret = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "apiKey: 'AIzaSyDOCAbC123dEf456GhI789jKl01-MnO'",
        "GH_TOKEN=ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        "api_key = '${API_KEY}'",
    ] {
        let hits = builtin().scan("f", t.as_bytes());
        assert!(hits.is_empty(), "{t}: {hits:?}");
    }
}

#[test]
fn a_google_key_needs_its_end_boundary() {
    let exact = format!("k = 'AIza{}'", "Sy9kR2mQ7vX4bN1cT8hL3pW6eJ0uD5fG2aZ");
    assert_eq!(builtin().scan("f", exact.as_bytes()).len(), 1);
    let longer = format!("k = 'AIza{}'", "Sy9kR2mQ7vX4bN1cT8hL3pW6eJ0uD5fG2aZq7Wx3Yc");
    let hits = builtin().scan("f", longer.as_bytes());
    assert!(
        hits.iter().all(|h| h.rule_id != "gcp-api-key"),
        "a 46-character value is not a Google key: {hits:?}"
    );
}

#[test]
fn slack_forms_the_old_rules_missed() {
    for t in [
        "xapp-1-A0123ABCDEF-1234567890123-0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9",
        "xoxe.xoxp-1-Mi0yLTEyMzQ1Njc4OTAxMi0xMjM0NTY3ODkwMTIzLTEyMzQ1Njc4OTAxMjMtMTIzNDU2Nzg5MDEyMy1hYmNkZWYwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYwMTIz",
        "http://hooks.slack.com/services/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",
        "https://hooks.slack.com/workflows/T0A1B2C3D/A0A1B2C3D4E/123456789012345678/q8W7e6R5t4Y3u2I1o0P9a8S7",
        "xoxa-2-123456789012-123456789012-a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6",
    ] {
        let hits = builtin().scan("f", t.as_bytes());
        assert!(!hits.is_empty(), "{t}");
    }
}

#[test]
fn passwords_in_urls_are_found_raw_and_decoded() {
    assert_eq!(
        url_secrets("postgres://berry:pg-S3cret@127.0.0.1:5432/agog", false),
        ["pg-S3cret"]
    );
    assert_eq!(
        url_secrets("postgres://u:p%40ss@h/db", false),
        ["p%40ss", "p@ss"]
    );
    assert_eq!(
        url_secrets("nats://a:one@h1:4222, nats://b:two@h2:4222", true),
        ["one", "two"]
    );
    assert!(url_secrets("postgres://u@h/db", false).is_empty());
    assert_eq!(
        url_secrets("nats://tok3n-value@h:4222", true),
        ["tok3n-value"]
    );
    assert!(url_secrets("nats://localhost:4222", true).is_empty());
    assert!(url_secrets("not a url", true).is_empty());
    assert!(url_secrets("postgres://u:@h/db", false).is_empty());
    // A stray % is kept as it is.
    assert_eq!(url_secrets("postgres://u:a%zz@h/db", false), ["a%zz"]);
}

#[test]
fn a_short_text_compiles_only_the_rules_it_needs() {
    // A fresh set as `builtin()` makes it: nothing compiled until a scan needs it.
    let set = RuleSet::compile_with(builtin_examples(), false).unwrap();
    let compiled = |s: &RuleSet| s.rules.iter().filter(|r| r.regex.get().is_some()).count();
    assert_eq!(compiled(&set), 0);
    let masked = mask_with("verify ok: REQ-1 at commit 1d1ef31", &set, &[]);
    assert_eq!(masked, "verify ok: REQ-1 at commit 1d1ef31");
    assert!(
        compiled(&set) <= set.always.len() + 4,
        "{} of {} regexes compiled for one line",
        compiled(&set),
        set.rules.len()
    );
    assert!(set.keywords_dfa.get().is_none(), "no DFA for a short text");
    // A token still needs its rule: compiled on demand, found.
    let tok = "ghp_Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz9Xc8";
    assert_eq!(set.scan("f", tok.as_bytes()).len(), 1);
}

#[test]
fn entropy_of_known_strings() {
    assert_eq!(shannon_entropy(b""), 0.0);
    assert_eq!(shannon_entropy(b"aaaa"), 0.0);
    assert!((shannon_entropy(b"ab") - 1.0).abs() < 1e-9);
    assert!((shannon_entropy(b"abcdefgh") - 3.0).abs() < 1e-9);
}

fn repo_rules(toml: &str, ignore: Option<&str>) -> RuleSet {
    RuleSet::for_repository(Some((".gitleaks.toml", toml)), ignore).unwrap()
}

/// A repository rule whose keyword is empty runs on every text, as the keyword automaton has
/// it, also in the first bytes a rule set scans (searched without the automaton).
#[test]
fn a_rule_with_an_empty_keyword_runs_on_every_text() {
    let set = repo_rules(
        "[[rules]]\nid = \"acme-key\"\nregex = '''acme_[a-z0-9]{16}'''\nkeywords = [\"\"]\n",
        None,
    );
    let ids: Vec<String> = set
        .scan("f", b"a = acme_0a1b2c3d4e5f6a7b\n")
        .into_iter()
        .map(|h| h.rule_id)
        .collect();
    assert_eq!(ids, ["acme-key"]);
}

#[test]
fn a_repository_rule_file_adds_a_rule_to_the_defaults() {
    let set = repo_rules(
        "[extend]\nuseDefault = true\n\n[[rules]]\nid = \"acme-key\"\nregex = '''acme_[a-z0-9]{16}'''\nkeywords = [\"acme_\"]\n",
        None,
    );
    let text = "a = acme_0a1b2c3d4e5f6a7b\nb = ghp_Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz9Xc8\n";
    let ids: Vec<String> = set
        .scan("f", text.as_bytes())
        .into_iter()
        .map(|h| h.rule_id)
        .collect();
    assert_eq!(ids, ["acme-key", "github-pat"]);
    // Without useDefault, the file replaces the defaults.
    let alone = repo_rules(
        "[[rules]]\nid = \"acme-key\"\nregex = '''acme_[a-z0-9]{16}'''\n",
        None,
    );
    let ids: Vec<String> = alone
        .scan("f", text.as_bytes())
        .into_iter()
        .map(|h| h.rule_id)
        .collect();
    assert_eq!(ids, ["acme-key"]);
}

#[test]
fn a_repository_allowlist_of_a_path_skips_that_path_only() {
    let set = repo_rules(
        "[extend]\nuseDefault = true\n\n[allowlist]\npaths = ['''^fixtures/''']\n",
        None,
    );
    let text = b"t = ghp_Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz9Xc8\n";
    assert!(set.scan("fixtures/a.txt", text).is_empty());
    assert_eq!(set.scan("src/a.txt", text).len(), 1);
    // A rule's own allowlist extends a built-in rule of the same id.
    let set = repo_rules(
        "[extend]\nuseDefault = true\n\n[[rules]]\nid = \"github-pat\"\n[[rules.allowlists]]\nregexes = ['''Zx9Qw8''']\n",
        None,
    );
    assert!(set.scan("src/a.txt", text).is_empty());
}

#[test]
fn gitleaksignore_fingerprints_drop_one_finding() {
    let set = RuleSet::for_repository(
        None,
        Some("# reviewed\nsrc/a.txt:github-pat:2\n0123456789abcdef0123456789abcdef01234567:src/b.txt:github-pat:1\n"),
    )
    .unwrap();
    let text = b"x\nt = ghp_Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz9Xc8\n";
    let hits = set.scan("src/a.txt", text);
    assert_eq!(hits.len(), 1);
    assert!(set.is_ignored("src/a.txt", &hits[0]));
    assert!(!set.is_ignored("src/c.txt", &hits[0]));
}

#[test]
fn a_rule_with_only_a_path_reports_the_file() {
    let set = repo_rules("[[rules]]\nid = \"pkcs12\"\npath = '''\\.p12$'''\n", None);
    let hits = set.scan("certs/prod.p12", b"\x30\x82binary");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].rule_id, "pkcs12");
    assert!(set.scan("certs/prod.pem", b"x").is_empty());
}

#[test]
fn an_invalid_rule_is_an_error_naming_it() {
    let e = RuleSet::for_repository(
        Some((
            "r.toml",
            "[[rules]]\nid = \"bad\"\nregex = '''(unclosed'''\n",
        )),
        None,
    )
    .unwrap_err();
    assert!(e.contains("\"bad\"") && e.contains("invalid regex"), "{e}");
    let e = RuleSet::for_repository(
        Some((
            "r.toml",
            "[[rules]]\nid = \"g\"\nregex = 'a(b)'\nsecretGroup = 3\n",
        )),
        None,
    )
    .unwrap_err();
    assert!(e.contains("secretGroup 3"), "{e}");
}

/// The corpus the rules are measured on, built from the rules' own true-positive examples and
/// independent negatives:
/// - true positives: every secret of every rule's examples, in seven file syntaxes (`.env`,
///   `export`, YAML, JSON, TypeScript, XML, TOML), named after the rule (so context rules see
///   their provider); a case counts as found when the masker leaves none of the secret visible;
/// - false positives: every line of the project's fixtures (real AgogSaaS deliverables, tracker
///   entries, GitHub API answers) and templates, plus every rule's counterexamples in the same
///   seven syntaxes; a case counts when any rule flags it.
///
/// `cargo test --lib corpus -- --nocapture` prints the figures.
#[test]
fn corpus_recall_and_false_positive_rate() {
    let all = builtin();
    let file = builtin_examples();
    let syntaxes: [fn(&str, &str) -> String; 7] = [
        |n, s| format!("{}={s}\n", n.to_uppercase()),
        |n, s| format!("export {}=\"{s}\"\n", n.to_uppercase()),
        |n, s| format!("config:\n  {n}: {s}\n"),
        |n, s| format!("{{\n  \"{n}\": \"{s}\"\n}}\n"),
        |n, s| format!("const {n} = '{s}';\n"),
        |n, s| format!("<{n}>{s}</{n}>\n"),
        |n, s| format!("{n} = \"{s}\"\n"),
    ];
    let (mut tp_total, mut tp_found, mut misses) = (0usize, 0usize, Vec::new());
    for spec in &file.rules {
        let alone = RuleSet::compile(&RuleFile {
            rules: vec![spec.clone()],
            ..RuleFile::default()
        })
        .unwrap();
        let name = spec.id.replace('-', "_");
        for tp in &spec.tps {
            for hit in alone.scan("", tp.as_bytes()) {
                let secret = hit.secret.clone();
                let cases: Vec<String> = if secret.contains('\n') || secret.contains('"') {
                    vec![tp.clone()]
                } else {
                    syntaxes.iter().map(|f| f(&name, &secret)).collect()
                };
                for case in cases {
                    tp_total += 1;
                    if mask_with(&case, &all, &[]).contains(&secret) {
                        misses.push(format!("{}: {case:?}", spec.id));
                    } else {
                        tp_found += 1;
                    }
                }
            }
        }
    }
    let mut negatives: Vec<String> = Vec::new();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in [
        "tests/fixtures/agogsaas",
        "tests/fixtures/github",
        "templates",
    ] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            let text = std::fs::read_to_string(e.unwrap().path()).unwrap_or_default();
            negatives.extend(
                text.lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(str::to_string),
            );
        }
    }
    for spec in &file.rules {
        negatives.extend(spec.fps.iter().cloned());
        let name = spec.id.replace('-', "_");
        for fp in &spec.fps {
            // The counterexample's value, wherever it sits.
            let value = fp
                .rsplit(['=', ':', ' '])
                .next()
                .unwrap_or(fp)
                .trim_matches(['"', '\'', ';', ',', ' ']);
            if !value.is_empty() && !value.contains('\n') {
                negatives.extend(syntaxes.iter().map(|f| f(&name, value)));
            }
        }
    }
    let flagged: Vec<&String> = negatives
        .iter()
        .filter(|n| !all.scan("", n.as_bytes()).is_empty())
        .collect();
    let recall = tp_found as f64 / tp_total as f64;
    let fp_rate = flagged.len() as f64 / negatives.len() as f64;
    println!(
        "corpus: {tp_found}/{tp_total} true positives found ({:.1} %), {}/{} negatives flagged ({:.2} %)",
        recall * 100.0,
        flagged.len(),
        negatives.len(),
        fp_rate * 100.0
    );
    for m in misses.iter().take(40) {
        println!("  missed {m}");
    }
    for f in flagged.iter().take(40) {
        println!("  flagged {f:?}");
    }
    assert!(recall >= 0.95, "recall {recall:.3}");
    assert!(fp_rate <= 0.03, "false-positive rate {fp_rate:.3}");
}

#[test]
fn the_line_masker_hands_on_each_line_at_once_and_a_private_key_whole() {
    let tok = "ghp_Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz9Xc8";
    let mut m = LineMasker::new();
    let mut out = String::new();
    m.push(format!("one {tok}\ntw").as_bytes(), &mut |t| {
        out.push_str(t)
    });
    assert_eq!(
        out, "one ghp_…(40 chars)\n",
        "a whole line is out at once, masked"
    );
    m.push(b"o\n", &mut |t| out.push_str(t));
    assert_eq!(out, "one ghp_…(40 chars)\ntwo\n");

    // A PEM block arriving a byte at a time comes out as the masker of the whole text writes it.
    let body: Vec<String> = (0..8)
        .map(|i| format!("MIIEow{i}IBAAKCAQEAs9Qx7v1R2k4mJcXg8zNhYp5WbTLdUqFo3eKiVrZy6jHaC0t"))
        .collect();
    let pem = format!(
        "key:\n-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\nafter",
        body.join("\n")
    );
    let mut m = LineMasker::new();
    let mut out = String::new();
    for b in pem.as_bytes() {
        m.push(std::slice::from_ref(b), &mut |t| out.push_str(t));
    }
    assert_eq!(
        out.matches('\n').count(),
        11,
        "every line but the unterminated last: {out}"
    );
    m.finish(&mut |t| out.push_str(t));
    for line in &body {
        assert!(!out.contains(line.as_str()), "{out}");
    }
    assert_eq!(out, format!("{}\n", mask_text(&pem)));
    assert!(out.contains("MIIE…("), "{out}");
}

#[test]
fn the_line_masker_keeps_bounded_memory() {
    let mut m = LineMasker::new();
    let mut out = String::new();
    let long = vec![b'a'; LINE_BYTES + 10];
    m.push(&long, &mut |t| out.push_str(t));
    m.push(b"\nnext\n", &mut |t| out.push_str(t));
    assert!(
        out.ends_with("…(line cut: 10 bytes not kept)\nnext\n"),
        "{}",
        &out[out.len() - 60..]
    );
    assert_eq!(
        out.len(),
        LINE_BYTES + "…(line cut: 10 bytes not kept)\nnext\n".len()
    );
    // A block that never ends is let go after its bound.
    let mut m = LineMasker::new();
    let mut out = String::new();
    m.push(b"-----BEGIN PRIVATE KEY-----\n", &mut |t| out.push_str(t));
    for _ in 0..HELD_LINES {
        m.push(b"plain line\n", &mut |t| out.push_str(t));
    }
    assert!(
        out.contains("plain line\n"),
        "held at most {HELD_LINES} lines"
    );
}

#[test]
fn what_runs_near_its_keywords_is_bounded_and_holds_them() {
    let kw = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(reach("ghp_[0-9a-zA-Z]{36}", &kw(&["ghp_"])), Some(0));
    assert_eq!(reach("(?i)\\bghp_[0-9a-z]{36}\\b", &kw(&["ghp_"])), Some(0));
    // The keyword may be anywhere in the text, not in the match: the whole text.
    assert_eq!(reach("[0-9a-f]{32}", &kw(&["heroku"])), None);
    assert_eq!(reach("(?i)(?:heroku|hk)[a-z]{4}", &kw(&["heroku"])), None);
    assert_eq!(
        reach("(?i)(?:heroku|hk)[a-z]{4}", &kw(&["heroku", "hk"])),
        Some(0)
    );
    // Line feeds: bounded, or not.
    assert_eq!(
        reach("key[\\s'\"]{0,3}=\\s?([a-z]{8})", &kw(&["key"])),
        Some(4)
    );
    assert_eq!(reach("key\\s*=([a-z]{8})", &kw(&["key"])), None);
    assert_eq!(reach("(?s)key.{0,400}x", &kw(&["key"])), None);
    assert_eq!(
        reach("passw(?:or)?d=([a-z]{8})", &kw(&["password", "passwd"])),
        Some(0)
    );
    let set = builtin();
    let near = set.rules().iter().filter(|r| r.reach().is_some()).count();
    let generic = set
        .rules()
        .iter()
        .find(|r| r.id == "generic-api-key")
        .unwrap();
    assert!(
        generic.reach().is_some(),
        "the generic rule runs near its keywords"
    );
    assert!(
        near * 10 >= set.rules().len() * 8,
        "{near} of {} rules",
        set.rules().len()
    );
}

#[test]
fn where_matches_start_is_known_when_they_begin_with_a_keyword() {
    let kw = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    // The keyword opens the match, after a look-around; case-insensitive letters.
    assert_eq!(
        starts(
            "(?i)\\bmachine\\s+[\\w.-]+\\s+login\\s+\\S+\\s+password\\s+(\\S{6,})",
            &kw(&["machine"])
        ),
        Some(vec![(0, 0)])
    );
    assert_eq!(
        starts("\\b(ghp_[A-Za-z0-9]{36})", &kw(&["ghp_"])),
        Some(vec![(0, 0)])
    );
    // An optional part before the keyword: each of its lengths is an offset.
    assert_eq!(
        starts(
            "((?:https?://)?hooks\\.slack\\.com/[A-Za-z0-9+/]{43,56})",
            &kw(&["hooks.slack.com"])
        ),
        Some(vec![(0, 0), (0, 7), (0, 8)])
    );
    // A keyword inside the opening literal (`-----BEGIN USER NKEY SEED-----`).
    assert_eq!(
        starts(
            "(-----BEGIN USER NKEY SEED-----\\s*S[UACNOP][A-Z2-7]{56})",
            &kw(&["user nkey seed"])
        ),
        Some(vec![(0, 11)])
    );
    // The keyword ends in the first byte of a repeated part.
    assert_eq!(
        starts(
            "\\b(xox[pe](?:-[0-9]{10,13}){3}-[A-Za-z0-9]{28,34})",
            &kw(&["xoxp-", "xoxe-"])
        ),
        Some(vec![(1, 0), (0, 0)])
    );
    // Any of several keywords; a line feed anywhere after it does not matter.
    assert_eq!(
        starts(
            "(?:api|passw(?:or)?d)\\s*=\\s*(\\w{8})",
            &kw(&["api", "passwd", "password"])
        ),
        Some(vec![(0, 0), (1, 0), (2, 0)])
    );
    // A name of up to 50 characters before the keyword, a keyword not in the match, none.
    assert_eq!(
        starts("(?i)[\\w.-]{0,50}?(?:hetzner)=(\\w{8})", &kw(&["hetzner"])),
        None
    );
    assert_eq!(starts("(?i)(?:heroku|hk)[a-z]{4}", &kw(&["heroku"])), None);
    assert_eq!(starts("\\b(YC[A-Za-z0-9_-]{38})", &kw(&[])), None);
    let set = builtin();
    for id in [
        "netrc-password",
        "generic-api-key",
        "private-key",
        "json-private-key",
        "slack-user-token",
    ] {
        let rule = set.rules().iter().find(|r| r.id == id).unwrap();
        assert!(rule.starts().is_some(), "{id} starts at its keywords");
    }
}

#[test]
fn a_rule_without_keywords_is_tried_where_its_opening_strings_occur() {
    // Exactly as they match: case kept, two bytes at least.
    assert_eq!(
        opening_strings("\\b(S[UACNOP][A-Z2-7]{56})(?:[^A-Za-z0-9_-]|$)"),
        Some(
            ["SA", "SC", "SN", "SO", "SP", "SU"]
                .map(|s| s.as_bytes().to_vec())
                .to_vec()
        )
    );
    assert_eq!(
        opening_strings("\\b(YC[A-Za-z0-9_-]{38})"),
        Some(vec![b"YC".to_vec()])
    );
    let mut folded = opening_strings("(?i)ab[0-9]{8}").unwrap();
    folded.sort();
    assert_eq!(folded, [b"AB", b"Ab", b"aB", b"ab"]);
    // An optional part: each of its strings.
    assert_eq!(
        opening_strings("(?:x)?ab"),
        Some(vec![b"ab".to_vec(), b"xab".to_vec()])
    );
    // One byte, or nothing fixed: over the whole text.
    assert_eq!(opening_strings("\\b([MNO][A-Za-z0-9_-]{23,25})"), None);
    assert_eq!(opening_strings("[0-9a-f]{32}"), None);
    assert_eq!(opening_strings("(?:xy)*ab"), None);
    // Every built-in rule without keywords has its opening strings.
    let set = builtin();
    let openings = set.openings().expect("the built-in rules have openings");
    assert_eq!(openings.rules.len(), set.always.len());
}

/// The built-in rules with the keyword lines found first on every text, however few bytes were
/// scanned (the built-in set does that after [`LINE_FINDER_AFTER`] bytes).
fn finder_on_every_text() -> RuleSet {
    let mut set = RuleSet::compile_with(builtin_file(), false).unwrap();
    set.search_after = 0;
    set.line_finder_after = 0;
    set
}

/// The built-in rules with the keywords of each place's first byte checked, however many bytes
/// were scanned (the built-in set does that for the first [`SEARCH_AFTER`] bytes).
fn first_bytes_on_every_text() -> RuleSet {
    let mut set = RuleSet::compile_with(builtin_file(), false).unwrap();
    set.search_after = usize::MAX;
    set
}

/// Running rules only near their keywords finds exactly what running them over the whole text
/// finds: every example and counterexample of every rule in several syntaxes, one per file and
/// all in one text with ordinary lines around them, and the fixtures.
#[test]
fn scanning_near_keywords_finds_what_the_whole_text_scan_finds() {
    let file = builtin_examples();
    let near = finder_on_every_text();
    let first = first_bytes_on_every_text();
    let mut whole = RuleSet::compile_with(file, false).unwrap();
    whole.reference = true;
    let mut texts: Vec<String> = Vec::new();
    for spec in &file.rules {
        for ex in spec.tps.iter().chain(&spec.fps) {
            texts.push(ex.clone());
            texts.push(format!(
                "// {}\nconst value = {ex:?};\n\n  {ex}\nend",
                spec.id
            ));
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in [
        "tests/fixtures/agogsaas",
        "tests/fixtures/github",
        "templates",
    ] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            texts.push(std::fs::read_to_string(e.unwrap().path()).unwrap_or_default());
        }
    }
    let all = texts.join("\nfn filler() { let key = 1; token(); } // api auth\n");
    texts.push(all);
    let mut differ = Vec::new();
    for t in &texts {
        let (a, b, c, d) = (
            near.scan("config/app.env", t.as_bytes()),
            whole.scan("config/app.env", t.as_bytes()),
            builtin().scan("config/app.env", t.as_bytes()),
            first.scan("config/app.env", t.as_bytes()),
        );
        if a != b || c != b || d != b {
            differ.push(format!("{t:?}:\n near  {a:?}\n whole {b:?}"));
        }
    }
    assert!(
        differ.is_empty(),
        "{} texts differ:\n{}",
        differ.len(),
        differ.join("\n")
    );
}

/// The fast scan (keyword lines found first, rules run near their keywords) finds exactly what
/// the straightforward one finds (the keyword automaton and every rule with a keyword present
/// over the whole text), on generated texts: rule examples and keywords in any case, split across
/// line feeds, at the start and end of lines, CRLF line ends, PEM blocks, and UTF-16 text.
#[test]
fn the_fast_scan_finds_what_the_reference_scan_finds_on_generated_texts() {
    let file = builtin_examples();
    let fast = finder_on_every_text();
    let first = first_bytes_on_every_text();
    let mut reference = RuleSet::compile_with(file, false).unwrap();
    reference.reference = true;
    let mut pieces: Vec<String> = Vec::new();
    for spec in &file.rules {
        pieces.extend(spec.tps.iter().chain(&spec.fps).cloned());
        for k in &spec.keywords {
            pieces.push(k.clone());
            pieces.push(k.to_ascii_uppercase());
            // A keyword cut by a line end: on no line whole.
            let cut = k.len() / 2;
            if k.is_char_boundary(cut) {
                pieces.push(format!("{}\n{}", &k[..cut], &k[cut..]));
            }
        }
    }
    let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAs9Qx7v1R2k4mJcXg8zNhYp5WbTLdUqFo3eKiVrZy6jHaC0t\nMIIEow1IBAAKCAQEAs9Qx7v1R2k4mJcXg8zNhYp5WbTLdUqFo3eKiVrZy6jHaC0t\n-----END RSA PRIVATE KEY-----";
    pieces.push(pem.to_string());
    pieces.push(pem.replace('\n', "\r\n"));
    let glue = [
        " ",
        "\n",
        "\r\n",
        "\n\n",
        " = ",
        ": \"",
        "\"\n",
        "\t",
        "fn main() { let x = 1; }\n",
    ];
    // xorshift: deterministic, so a failure names its round.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut below = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let mut differ = Vec::new();
    for round in 0..400 {
        let n = 1 + below(if round % 4 == 0 { 120 } else { 12 });
        let mut text = String::new();
        for _ in 0..n {
            text.push_str(&pieces[below(pieces.len())]);
            text.push_str(glue[below(glue.len())]);
        }
        let mut bytes = text.clone().into_bytes();
        if round % 10 == 9 {
            bytes = vec![0xFF, 0xFE];
            bytes.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
        }
        let (a, b, c, d) = (
            fast.scan("config/app.env", &bytes),
            reference.scan("config/app.env", &bytes),
            builtin().scan("config/app.env", &bytes),
            first.scan("config/app.env", &bytes),
        );
        if a != b || c != b || d != b {
            differ.push(format!(
                "round {round}: {text:?}:\n fast      {a:?}\n reference {b:?}"
            ));
        }
    }
    assert!(
        differ.is_empty(),
        "{} texts differ:\n{}",
        differ.len(),
        differ.join("\n")
    );
}

/// The JSON `build.rs` embeds holds exactly the TOML source's rules, less their examples.
#[test]
fn the_embedded_rules_are_the_toml_rules_without_examples() {
    let mut from_toml = builtin_examples().clone();
    assert!(from_toml.rules.iter().any(|r| !r.tps.is_empty()));
    for r in &mut from_toml.rules {
        r.tps.clear();
        r.fps.clear();
    }
    assert_eq!(builtin_file(), &from_toml);
}
