//! `stage.paths`: which changed files this stage commits.

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

    /// Whether every glob parses, as [`Scope::new`] reads it, without building the matcher (the
    /// configuration's check: building the set of globs was a tenth of a command's start-up).
    pub fn check(globs: &[String]) -> Result<(), globset::Error> {
        for g in globs {
            GlobBuilder::new(g).literal_separator(true).build()?;
        }
        Ok(())
    }

    /// `path` is relative to the repository root, with `/` separators.
    pub fn contains(&self, path: &str) -> bool {
        safe_relative(path).is_ok() && self.set.is_match(path)
    }

    /// A change is in scope only when every path it touches is: a rename needs both its old and
    /// its new path inside (otherwise it is a deletion in scope and an addition outside it).
    pub fn admits(&self, path: &str, old_path: Option<&str>) -> bool {
        self.contains(path) && old_path.is_none_or(|o| self.contains(o))
    }
}

/// A path as git stores it: relative, `/`-separated, no empty, `.` or `..` component, no NUL,
/// not inside `.git`. Anything else (from a tampered context file, say) is refused before the
/// path is joined to the work tree or read.
pub fn safe_relative(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("an empty path".into());
    }
    if path.starts_with('/') {
        return Err(format!("{path:?} is absolute"));
    }
    if path.contains('\0') {
        return Err(format!("{path:?} holds a NUL byte"));
    }
    for part in path.split('/') {
        match part {
            "" => return Err(format!("{path:?} has an empty component")),
            "." | ".." => return Err(format!("{path:?} has a `{part}` component")),
            p if p.eq_ignore_ascii_case(".git") => {
                return Err(format!("{path:?} is inside .git"));
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Stage;

    #[test]
    fn default_paths_are_the_agogsaas_stage_paths() {
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

    #[test]
    fn a_rename_needs_both_sides_inside() {
        let s = Scope::new(&Stage::default().paths).unwrap();
        let inside = "Implementation/print-industry-erp/backend/src/a.ts";
        let inside2 = "Implementation/print-industry-erp/backend/src/b.ts";
        assert!(s.admits(inside2, Some(inside)));
        assert!(!s.admits(".github/workflows/x.ts", Some(inside)));
        assert!(!s.admits(inside, Some(".github/workflows/x.ts")));
        assert!(s.admits(inside, None));
    }

    #[test]
    fn unsafe_paths_are_never_in_scope() {
        let s = Scope::new(&["**".to_string()]).unwrap();
        for bad in [
            "../../../../etc/hostname",
            "/etc/hostname",
            "a/../b",
            "a//b",
            "./a",
            ".git/config",
            "x/.GIT/hooks/pre-commit",
            "",
        ] {
            assert!(!s.contains(bad), "{bad:?}");
            assert!(safe_relative(bad).is_err(), "{bad:?}");
        }
        assert!(s.contains("a/b.ts"));
    }
}
