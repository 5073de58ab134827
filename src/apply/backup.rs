//! Backups on the host: before deploy overwrites a file whose content differs (a configuration, an environment file,
//! a unit, `myid` …), the old copy is kept in a root-only directory, in the same remote command as the write (no
//! extra round trip): `/var/lib/kafka-wizard/backups/<the file's absolute path>/<UTC time>`, e.g.
//! `/var/lib/kafka-wizard/backups/etc/kafka/server.properties/20261130T124200.123456789Z`. Every directory under it is 0700
//! root and every copy 0600 root, so a backup of a file holding a secret is never readable by anyone else. The last
//! [`KEEP_BACKUPS`] copies of each file are kept. A file whose content is current is never written, so a deploy that
//! changes nothing backs up nothing.

use crate::shell::quote;

/// Where the copies are kept (root-only).
pub const BACKUP_DIR: &str = "/var/lib/kafka-wizard/backups";

/// How many copies of each file are kept; the oldest beyond these are removed.
pub const KEEP_BACKUPS: usize = 5;

/// The directory holding the copies of `path` (absolute): its path under [`BACKUP_DIR`].
pub fn backup_dir_of(path: &str) -> String {
    format!("{BACKUP_DIR}/{}", path.trim_start_matches('/'))
}

/// Copies `path` (when it exists and is not a symbolic link — the wizard writes files, never links, so a link is
/// not its copy to keep, and root reading through one would copy what it points at) to a new `<backup dir>/<UTC time to the nanosecond>` (a `-001` … suffix in the
/// unlikely case that name is taken),
/// removes all but the newest [`KEEP_BACKUPS`] copies, and prints the copy's path. Run as root, before the write,
/// in the same command ([`crate::transport::Transport::write_file_after`]); it fails (and so stops the write) when
/// the copy cannot be made. When the newest copy already holds the same content (a write that failed after its
/// backup, run again), that copy stands and its path is printed. Names sort by age (`LC_ALL=C`), so retention needs
/// no file times.
pub fn keep_script(path: &str) -> String {
    format!(
        "set -e\n\
         umask 077\n\
         f={file}\n\
         d={dir}\n\
         if [ -f \"$f\" ] && [ ! -L \"$f\" ]; then\n\
         mkdir -p \"$d\"\n\
         chown root:root {root} && chmod 0700 {root}\n\
         last=$(ls -1 \"$d\" | LC_ALL=C sort | tail -n 1)\n\
         if [ -n \"$last\" ] && [ \"$(sha256sum < \"$f\")\" = \"$(sha256sum < \"$d/$last\")\" ]; then printf '%s\\n' \"$d/$last\"; exit 0; fi\n\
         ts=$(date -u +%Y%m%dT%H%M%S.%NZ)\n\
         b=\"$d/$ts\"; n=1\n\
         while [ -e \"$b\" ]; do b=\"$d/$ts-$(printf %03d \"$n\")\"; n=$((n+1)); done\n\
         cp -- \"$f\" \"$b\"\n\
         ls -1 \"$d\" | LC_ALL=C sort -r | tail -n +{next} | while IFS= read -r old; do rm -f -- \"$d/$old\"; done\n\
         printf '%s\\n' \"$b\"\n\
         fi",
        file = quote(path),
        dir = quote(&backup_dir_of(path)),
        root = quote(BACKUP_DIR),
        next = KEEP_BACKUPS + 1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::process::Command;

    /// Runs `keep_script` for `file` with the backup root moved under `root` (a test cannot write /var/lib), as the
    /// current user (the `chown root:root` is dropped unless the test runs as root); returns the printed path.
    fn keep(root: &std::path::Path, file: &str) -> String {
        let mut script = keep_script(file).replace(BACKUP_DIR, &root.display().to_string());
        if !crate::test_support::running_as_root() {
            script = script.replace("chown root:root", "true");
        }
        let out = Command::new("sh").arg("-c").arg(&script).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim_end().to_string()
    }

    fn mode(path: &std::path::Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_files_backups_live_under_its_own_absolute_path() {
        assert_eq!(
            backup_dir_of("/etc/kafka/server.properties"),
            "/var/lib/kafka-wizard/backups/etc/kafka/server.properties"
        );
    }

    #[test]
    fn the_script_quotes_every_path_it_is_given() {
        let script = keep_script("/etc/kafka/it's here");
        assert!(script.contains("f='/etc/kafka/it'\\''s here'\n"), "{script}");
        assert!(script.contains("d='/var/lib/kafka-wizard/backups/etc/kafka/it'\\''s here'\n"), "{script}");
    }

    #[test]
    fn the_old_copy_is_kept_root_only_and_only_the_last_five_remain() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("backups");
        let file = tmp.path().join("etc dir").join("server.properties");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "secret=1\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let file = file.display().to_string();
        let dir = root.join(file.trim_start_matches('/'));

        let first = keep(&root, &file);
        assert!(first.starts_with(&format!("{}/", dir.display())), "{first}");
        assert_eq!(std::fs::read_to_string(&first).unwrap(), "secret=1\n");
        assert_eq!(mode(std::path::Path::new(&first)), 0o600, "the copy is readable by its owner only");
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&root), 0o700);

        let mut kept = vec![first];
        for i in 2..=7 {
            std::fs::write(&file, format!("secret={i}\n")).unwrap();
            kept.push(keep(&root, &file));
        }
        let mut names: Vec<String> =
            std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        assert_eq!(names.len(), KEEP_BACKUPS, "{names:?}");
        let newest: Vec<String> =
            kept[kept.len() - KEEP_BACKUPS..].iter().map(|p| p.rsplit('/').next().unwrap().to_string()).collect();
        assert_eq!(names, newest, "the oldest copies went, the newest five stay");
        assert_eq!(std::fs::read_to_string(kept.last().unwrap()).unwrap(), "secret=7\n");
    }

    #[test]
    fn the_same_content_twice_in_a_row_is_kept_once() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("backups");
        let file = tmp.path().join("myid");
        std::fs::write(&file, "1\n").unwrap();
        let file = file.display().to_string();
        let first = keep(&root, &file);
        assert_eq!(keep(&root, &file), first, "a retried write does not pile up copies");
        std::fs::write(&file, "2\n").unwrap();
        assert_ne!(keep(&root, &file), first);
        assert_eq!(std::fs::read_dir(root.join(file.trim_start_matches('/'))).unwrap().count(), 2);
    }

    #[test]
    fn a_file_not_on_the_host_yet_is_not_backed_up() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("backups");
        assert_eq!(keep(&root, &tmp.path().join("new.properties").display().to_string()), "");
        assert!(!root.exists());
    }

    #[test]
    fn a_symbolic_link_at_the_path_is_not_followed_into_a_backup() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("backups");
        let secret = tmp.path().join("secret");
        std::fs::write(&secret, "not the wizard's\n").unwrap();
        let link = tmp.path().join("myid");
        std::os::unix::fs::symlink(&secret, &link).unwrap();
        assert_eq!(keep(&root, &link.display().to_string()), "");
        assert!(!root.exists());
    }
}
