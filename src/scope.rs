//! `stage.paths`: which changed files this stage commits (SPEC §4.1).

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

#[derive(Debug, Clone)]
pub struct Scope {
    set: GlobSet,
}

impl Scope {
    /// `*` and `?` never cross `/`; `**` does.
    pub fn new(globs: &[String]) -> Result<Scope, globset::Error> {
        let mut b = GlobSetBuilder::new();
        for g in globs {
            b.add(GlobBuilder::new(g).literal_separator(true).build()?);
        }
        Ok(Scope { set: b.build()? })
    }

    /// `path` is relative to the repository root, with `/` separators.
    pub fn contains(&self, path: &str) -> bool {
        self.set.is_match(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Stage;

    #[test]
    fn default_paths_follow_the_runbook() {
        let s = Scope::new(&Stage::default().paths).unwrap();
        let erp = "Implementation/print-industry-erp";
        for inside in [
            "backend/migrations/V0.0.26__x.sql",
            "backend/src/a/b/c.service.ts",
            "backend/src/schema.graphql",
            "frontend/src/pages/Dash.tsx",
            "frontend/src/hooks/useX.ts",
            "backend/src/modules/crm/README.md",
            "frontend/src/pages/assets/logo.svg",
        ] {
            assert!(s.contains(&format!("{erp}/{inside}")), "{inside}");
        }
        for outside in [
            "backend/migrations/nested/V1.sql",
            "backend/package.json",
            "frontend/src/styles/app.css",
            "README.md",
            "project-spirit/owner_requests/OWNER_REQUESTS.md",
        ] {
            assert!(!s.contains(&format!("{erp}/{outside}")), "{outside}");
        }
    }
}
