//! Paths given to the app (a project on its command line; the paths Open, Save As and Export pass on): `~`
//! expanded, and a relative one resolved against the directory the user started the app from — not the process's
//! working directory. Inside the AppImage those differ: its `AppRun` runs the app from inside the image
//! (`$APPDIR/usr`, so WebKitGTK finds its bundled helper processes through the relative path `packaging/build.sh`
//! patches in) and exports `OWD`, the original working
//! directory (the AppImage runtime sets `OWD` too). Elsewhere `OWD` is unset and the working directory is used.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// `raw` (`~` expanded) made absolute against `$OWD` when that is set to an absolute path, else against the
/// working directory.
pub fn user_path(raw: &str) -> std::io::Result<PathBuf> {
    resolve(raw, std::env::var_os("OWD").as_deref())
}

/// [`user_path`] with the original working directory given (testable without touching the environment).
pub fn resolve(raw: &str, owd: Option<&OsStr>) -> std::io::Result<PathBuf> {
    let expanded = kafka_wizard::transport::ssh::expand_tilde(Path::new(raw));
    match owd.map(Path::new) {
        Some(dir) if expanded.is_relative() && dir.is_absolute() => std::path::absolute(dir.join(expanded)),
        _ => std::path::absolute(expanded),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relative_path_is_resolved_against_the_original_working_directory() {
        let p = resolve("projects/a.toml", Some(OsStr::new("/home/op"))).unwrap();
        assert_eq!(p, Path::new("/home/op/projects/a.toml"));
    }

    #[test]
    fn an_absolute_path_ignores_the_original_working_directory() {
        assert_eq!(resolve("/srv/a.toml", Some(OsStr::new("/home/op"))).unwrap(), Path::new("/srv/a.toml"));
    }

    #[test]
    fn without_an_original_working_directory_the_process_one_is_used() {
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(resolve("a.toml", None).unwrap(), cwd.join("a.toml"));
        // an empty or relative OWD is not a directory the user started from
        assert_eq!(resolve("a.toml", Some(OsStr::new(""))).unwrap(), cwd.join("a.toml"));
        assert_eq!(resolve("a.toml", Some(OsStr::new("rel"))).unwrap(), cwd.join("a.toml"));
    }

    #[test]
    fn a_tilde_path_goes_to_home_whatever_the_original_working_directory() {
        let Some(home) = std::env::var_os("HOME") else { return };
        assert_eq!(resolve("~/a.toml", Some(OsStr::new("/home/op"))).unwrap(), Path::new(&home).join("a.toml"));
    }
}
