//! The sandbox `berry demo` runs the gate in: a repository laid out like the AgogSaaS monorepo
//! with pending backend and frontend changes (and one outside the stage paths), a local bare
//! `origin`, an OWNER_REQUESTS.md with the REQ's entry, a folder with the six real-shaped
//! deliverables, and a `berry.toml` pointing at them. Built with git2 only: no `git` needed.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use git2::{IndexAddOption, Repository, Signature};

use crate::config::ERP;

/// The REQ of the demo: the real one the QA fixture approved.
pub const REQ: &str = "REQ-STRATEGIC-AUTO-1767116143665";
pub const TITLE: &str = "Integrated CRM & Sales Pipeline Management";
pub const TRACKER: &str = "project-spirit/owner_requests/OWNER_REQUESTS.md";

/// Where the sandbox's parts are.
#[derive(Debug, Clone)]
pub struct Sandbox {
    pub root: PathBuf,
    pub repo: PathBuf,
    pub origin: PathBuf,
    pub deliverables: PathBuf,
}

/// The real deliverables the demo serves (copies of `tests/fixtures/agogsaas`).
const CYNTHIA: &str =
    include_str!("../tests/fixtures/agogsaas/deliverable_cynthia_completion_with_changes.json");
const SYLVIA: &str =
    include_str!("../tests/fixtures/agogsaas/deliverable_sylvia_critique_payload_decision.json");
const ROY: &str =
    include_str!("../tests/fixtures/agogsaas/deliverable_roy_completion_notice_phase1.json");
const JEN: &str =
    include_str!("../tests/fixtures/agogsaas/deliverable_jen_completion_notice_with_changes.json");
const BILLY: &str =
    include_str!("../tests/fixtures/agogsaas/deliverable_billy_qa_full_excerpt.json");
const PRIYA: &str =
    include_str!("../tests/fixtures/agogsaas/deliverable_priya_completion_notice.json");
const TRACKER_HEADER: &str =
    include_str!("../tests/fixtures/agogsaas/owner_requests_header_6544335.md");

/// Builds the sandbox in `root` (which must be empty or absent). With `rejected`, QA's
/// deliverable says the tests failed. `nats` says whether notices are published (a NATS server
/// answers) or only shown.
pub fn build(root: &Path, rejected: bool, nats: bool) -> Result<Sandbox> {
    if root.exists() && fs::read_dir(root)?.next().is_some() {
        return Err(
            crate::error::BerryError::usage(format!("{} is not empty", root.display()))
                .with_hint("give `berry demo` a new folder, or none for a temporary one")
                .into(),
        );
    }
    fs::create_dir_all(root).with_context(|| format!("cannot create {}", root.display()))?;
    let root = root.canonicalize()?;
    let sandbox = Sandbox {
        repo: root.join("agogsaas"),
        origin: root.join("origin.git"),
        deliverables: root.join("deliverables"),
        root,
    };
    write_deliverables(&sandbox.deliverables, rejected)?;
    Repository::init_bare(&sandbox.origin).context("cannot create the bare origin")?;
    let repo = init_work_repo(&sandbox)?;
    let config = if nats {
        CONFIG.to_string()
    } else {
        format!(
            "{CONFIG}\n# No NATS server answered when the sandbox was built: notices are shown, not sent.\n[nats]\npublish = false\n"
        )
    };
    base_commit(&repo, &sandbox.repo, &config)?;
    push_main(&repo)?;
    pending_changes(&sandbox.repo)?;
    Ok(sandbox)
}

fn write_deliverables(dir: &Path, rejected: bool) -> Result<()> {
    let sub = dir.join(REQ);
    fs::create_dir_all(&sub)?;
    for (agent, text) in [
        ("cynthia", CYNTHIA),
        ("sylvia", SYLVIA),
        ("roy", ROY),
        ("jen", JEN),
        ("billy", BILLY),
        ("priya", PRIYA),
    ] {
        let mut v: serde_json::Value = serde_json::from_str(text).expect("fixture is JSON");
        if agent == "billy" && rejected {
            let o = v.as_object_mut().expect("fixture is an object");
            o.insert("testResult".into(), "FAIL".into());
            o.insert("readyForDeployment".into(), false.into());
            o.insert(
                "testResults".into(),
                serde_json::json!({"totalTests": 75, "passed": 71, "failed": 4, "skipped": 0}),
            );
        }
        let mut bytes = serde_json::to_vec_pretty(&v)?;
        bytes.push(b'\n');
        fs::write(sub.join(format!("{agent}.json")), bytes)?;
    }
    Ok(())
}

fn init_work_repo(s: &Sandbox) -> Result<Repository> {
    let mut opts = git2::RepositoryInitOptions::new();
    opts.initial_head("main");
    let repo =
        Repository::init_opts(&s.repo, &opts).context("cannot create the demo repository")?;
    let mut cfg = repo.config()?;
    cfg.set_str("user.name", "Berry Demo")?;
    cfg.set_str("user.email", "demo@berry.invalid")?;
    repo.remote("origin", &format!("file://{}", s.origin.display()))?;
    Ok(repo)
}

fn write(root: &Path, rel: &str, content: &str) -> Result<()> {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().expect("relative path has a parent"))?;
    fs::write(&p, content).with_context(|| format!("cannot write {}", p.display()))
}

fn base_commit(repo: &Repository, root: &Path, config: &str) -> Result<()> {
    let erp = |p: &str| format!("{ERP}/{p}");
    write(root, "README.md", "# AgogSaaS\n\nPrint-industry ERP.\n")?;
    write(
        root,
        &erp("backend/package.json"),
        "{\n  \"name\": \"backend\",\n  \"private\": true\n}\n",
    )?;
    write(
        root,
        &erp("backend/src/modules/crm/crm.module.ts"),
        "import { Module } from '@nestjs/common';\n\n@Module({})\nexport class CrmModule {}\n",
    )?;
    write(
        root,
        &erp("backend/src/modules/crm/contacts.service.ts"),
        CONTACTS_V1,
    )?;
    write(
        root,
        &erp("backend/migrations/V0.0.62__baseline.sql"),
        "CREATE TABLE tenants (id uuid PRIMARY KEY);\n",
    )?;
    write(
        root,
        &erp("frontend/src/App.tsx"),
        "export const App = () => null;\n",
    )?;
    write(
        root,
        &erp("frontend/src/utils/legacyFormat.ts"),
        "export const legacyFormat = (s: string) => s.trim();\n",
    )?;
    write(
        root,
        TRACKER,
        &format!(
            "{TRACKER_HEADER}\n### {REQ}: {TITLE}\n\n**Status**: IN_PROGRESS\n**Owner**: marcus\n**Priority**: P1\n**Business Value**: One CRM for contacts, opportunities and the sales pipeline.\n\n---\n"
        ),
    )?;
    write(root, "berry.toml", config)?;
    let mut index = repo.index()?;
    index.add_all(["*"], IndexAddOption::DEFAULT, None)?;
    index.write()?;
    let tree = repo.find_tree(index.write_tree()?)?;
    let sig = Signature::now("Berry Demo", "demo@berry.invalid")?;
    repo.commit(
        Some("HEAD"),
        &sig,
        &sig,
        "Baseline of the AgogSaaS monorepo",
        &tree,
        &[],
    )?;
    Ok(())
}

fn push_main(repo: &Repository) -> Result<()> {
    let mut remote = repo.find_remote("origin")?;
    remote
        .push(&["refs/heads/main:refs/heads/main"], None)
        .context("cannot push the baseline to the demo origin")?;
    Ok(())
}

fn pending_changes(root: &Path) -> Result<()> {
    let erp = |p: &str| format!("{ERP}/{p}");
    write(
        root,
        &erp("backend/migrations/V0.0.63__crm_contacts.sql"),
        MIGRATION,
    )?;
    write(
        root,
        &erp("backend/src/modules/crm/contacts.service.ts"),
        CONTACTS_V2,
    )?;
    write(root, &erp("backend/src/graphql/schema/crm.graphql"), SCHEMA)?;
    write(root, &erp("frontend/src/pages/ContactsPage.tsx"), PAGE)?;
    fs::remove_file(root.join(erp("frontend/src/utils/legacyFormat.ts")))?;
    // Outside the stage paths: shown apart, never committed.
    write(
        root,
        "README.md",
        "# AgogSaaS\n\nPrint-industry ERP, now with a CRM.\n",
    )?;
    Ok(())
}

const CONFIG: &str = r#"# berry's configuration for the demo sandbox.
[deliverables]
dir = "../deliverables"

[[test.commands]]
name = "whitespace"
argv = ["git", "diff", "--check", "HEAD~1", "HEAD"]

[github]
no_ci = "skipped"
"#;

const CONTACTS_V1: &str =
    "export class ContactsService {\n  async list(tenantId: string) {\n    return [];\n  }\n}\n";
const CONTACTS_V2: &str = "export class ContactsService {\n  constructor(private readonly db: Db) {}\n\n  async list(tenantId: string) {\n    return this.db.query(\n      'SELECT id, name, email FROM crm_contacts WHERE tenant_id = $1 ORDER BY name',\n      [tenantId],\n    );\n  }\n}\n";
const MIGRATION: &str = "CREATE TABLE crm_contacts (\n  id uuid PRIMARY KEY DEFAULT uuid_generate_v7(),\n  tenant_id uuid NOT NULL REFERENCES tenants(id),\n  name text NOT NULL,\n  email text\n);\nALTER TABLE crm_contacts ENABLE ROW LEVEL SECURITY;\n";
const SCHEMA: &str = "type Contact {\n  id: ID!\n  name: String!\n  email: String\n}\n\nextend type Query {\n  contacts: [Contact!]!\n}\n";
const PAGE: &str = "import { useQuery } from '@apollo/client';\n\nexport const ContactsPage = () => {\n  const { data } = useQuery(CONTACTS);\n  return <ul>{data?.contacts.map((c) => <li key={c.id}>{c.name}</li>)}</ul>;\n};\n";

/// Whether a NATS server answers at `url` (`nats://host:port`, the first of a list) within 300 ms.
pub fn nats_reachable(url: &str) -> bool {
    use std::net::ToSocketAddrs;
    let first = url.split(',').next().unwrap_or(url).trim();
    let hostport = first.split("://").nth(1).unwrap_or(first);
    let hostport = hostport.rsplit('@').next().unwrap_or(hostport);
    let hostport = if hostport.contains(':') {
        hostport.to_string()
    } else {
        format!("{hostport}:4222")
    };
    hostport
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .is_some_and(|a| {
            std::net::TcpStream::connect_timeout(&a, std::time::Duration::from_millis(300)).is_ok()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_sandbox_with_pending_work() {
        let d = tempfile::tempdir().unwrap();
        let s = build(&d.path().join("demo"), false, false).unwrap();
        let repo = Repository::open(&s.repo).unwrap();
        let (changes, _) = crate::git::change_set(&repo).unwrap();
        let paths: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
        assert!(paths.contains(&"README.md"));
        assert_eq!(changes.len(), 6, "{paths:?}");
        let origin = Repository::open_bare(&s.origin).unwrap();
        assert!(origin.find_reference("refs/heads/main").is_ok());
        assert!(s.deliverables.join(REQ).join("billy.json").is_file());
        assert!(
            build(&s.root, false, true).is_err(),
            "refuses a non-empty folder"
        );
        let toml = std::fs::read_to_string(s.repo.join("berry.toml")).unwrap();
        let c = crate::config::Config::from_str(&toml, Path::new("berry.toml")).unwrap();
        assert!(!c.nats.publish);
    }
}
