//! The shell scripts of a relay (`super` carries them out, module docs there): a sender's key pair, a receiver's
//! forced-command key line (for a root login: the copy hashed while it arrives), the send over SSH host to host, and
//! the receiver's last command (key line removed, copy verified and moved into place) — each one command over the
//! wizard's own session.

use super::{Peer, Release};
use crate::plan::leftovers;
use crate::shell::quote;

/// The ciphers a hop offers, cheapest first: AES-GCM runs on the CPU's AES instructions and costs a hop of the test
/// world's 45 MB release ≈ 0.12 s less of the two hosts' CPU than OpenSSH's default first choice,
/// chacha20-poly1305 (measured between two test hosts: 0.41–0.44 s against 0.53–0.55 s per hop, logins included).
/// The others are OpenSSH's defaults, so a receiver that allows only those is still reached. The copy's integrity
/// never rests on the cipher: the receiver verifies the wizard's SHA-512.
const RELAY_CIPHERS: &str =
    "aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr";

/// The alias the sender's known_hosts names the receiver by (`HostKeyAlias`).
const PEER_ALIAS: &str = "kafka-wizard-relay-peer";

/// The exit status of [`verify_script`] when the file is not the release (it prints the file's SHA-512).
pub(super) const VERIFY_MISMATCH: i32 = 4;

/// Exits 0 when `path` has the SHA-512 `sum`, [`VERIFY_MISMATCH`] (printing the file's) when not, 2 when unreadable.
pub(super) fn verify_script(path: &str, sum: &str) -> String {
    format!(
        "s=$(sha512sum < {p} | cut -c1-128) || exit 2\n[ \"$s\" = {sum} ] || {{ echo \"$s\"; exit {VERIFY_MISMATCH}; }}",
        p = quote(path),
        sum = quote(sum)
    )
}

/// The receiver's last command: the hop's key line removed (whatever follows), the received copy checked against
/// the release's SHA-512 and moved to the install step's upload name, so the install step unpacks it without reading
/// it again (`decide`: `Context::staged`); a copy that is not the release is deleted. `hashed` (a root login,
/// [`hashing_receive_command`]): the copy and its SHA-512, taken while it arrived, lie in the install directory where
/// only root writes, so the sum is compared and the file moved; else (a sudo login's copy in its home) the copy is
/// made root's, moved into place and verified THERE.
pub(super) fn finish_script(user: &str, mark: &str, receive: &str, hashed: bool, release: &Release) -> String {
    let deauthorize = deauthorize_script(user, mark);
    let (p, staged) = (quote(receive), quote(&release.staged));
    if hashed {
        let sum_file = leftovers::relayed_sum(receive);
        let sum_file = quote(&sum_file);
        return format!(
            "{deauthorize} || true\n\
             [ -f {p} ] && [ -f {sum_file} ] || {{ rm -f -- {p} {sum_file}; echo 'the copy did not arrive whole' >&2; exit 1; }}\n\
             s=$(cut -c1-128 < {sum_file}); rm -f -- {sum_file}\n\
             [ \"$s\" = {sum} ] || {{ rm -f -- {p}; echo \"$s\"; exit {VERIFY_MISMATCH}; }}\n\
             chown 0:0 {p} && chmod 600 {p} && mv -f -- {p} {staged} || {{ rm -f -- {p}; exit 1; }}",
            sum = quote(&release.sha512),
        );
    }
    format!(
        "{deauthorize} || true\n\
         chown 0:0 {p} && chmod 600 {p} && mv -f -- {p} {staged} || {{ rm -f -- {p}; exit 1; }}\n\
         ( {verify} ) || {{ e=$?; rm -f -- {staged}; exit $e; }}",
        verify = verify_script(&release.staged, &release.sha512).replace('\n', "; "),
    )
}

/// A root login's forced command: the copy written to `receive` (in the install directory, where only root writes)
/// and hashed in the same pass — the receiver's SHA-512 runs while the bytes arrive instead of after, off the hop's
/// critical path (a failed write leaves no file: [`finish_script`] then says it did not arrive whole). Once only
/// ([`EXCLUSIVE`]): the file and its sum are created by the first connection, so a sending host that opens a second
/// one cannot mix other bytes into a copy whose sum says otherwise; and the sum exists whole only once the stream
/// ended (`sha512sum` writes it at EOF, after `tee` wrote the last byte), so a connection kept open past the send
/// cannot write after the check either. `receive` holds no quote or backslash (the authorize script refuses such a
/// path).
pub(super) fn hashing_receive_command(receive: &str) -> String {
    let sum = leftovers::relayed_sum(receive);
    format!("{EXCLUSIVE}; : > '{receive}' || exit 1; (tee '{receive}' || rm -f -- '{receive}') | sha512sum > '{sum}'")
}

/// How every forced command of a hop begins: `set -C` (noclobber: `>` creates the file exclusively, `O_EXCL`, and
/// fails when it exists) so each key line's file is written by one connection only, and a umask that keeps it the
/// login's own.
const EXCLUSIVE: &str = "set -C; umask 077";

/// Setup, on a sender: a fresh key pair for all its hops; prints the directory and the public key.
pub(super) fn keygen_script(install_dir: &str) -> String {
    format!(
        "command -v ssh >/dev/null && command -v ssh-keygen >/dev/null || {{ echo 'no ssh client (ssh, ssh-keygen) on this host' >&2; exit 3; }}\n\
         d=$(mktemp -d {template}) || exit 1\n\
         ssh-keygen -q -t ed25519 -N '' -C kafka-wizard-relay -f \"$d/key\" </dev/null >&2 || {{ rm -rf \"$d\"; exit 1; }}\n\
         echo \"$d\"; cat \"$d/key.pub\"",
        template = quote(&leftovers::relay_key_dir_template(install_dir)),
    )
}

/// Setup, on a receiver: the forced-command key line added (under [`LOCK_KEYS`]; lines an interrupted run left are
/// the leftovers sweep's, `apply::leftovers`); prints the path the copy will land at (`receive <path>`), `hashed`
/// for a root login (its copy is hashed while it arrives) and the host keys.
pub(super) fn authorize_script(r: &Peer, release: &Release, tag: &str, mark: &str, public: &str) -> String {
    let root_path = leftovers::relayed_tarball(&release.install_dir, &release.tarball, tag);
    format!(
        "set -e\n\
         {keys}\n\
         [ -f \"$f\" ] || {{ echo \"$f does not exist (a login without keys): no relay to this host\" >&2; exit 3; }}\n\
         if [ \"$u\" = root ]; then p={root_path}; c={root_command}; else p=\"$h\"/{home_name}; c=\"{EXCLUSIVE}; cat > '$p'\"; fi\n\
         case \"$p\" in *\\\"*|*\\\\*|*\\'*) echo \"unusable path $p\" >&2; exit 3;; esac\n\
         {LOCK_KEYS}\n\
         printf 'restrict,command=\"%s\" %s %s\\n' \"$c\" {public} {mark} >> \"$f\"\n\
         echo \"receive $p\"\n\
         if [ \"$u\" = root ]; then echo hashed; fi\n\
         for k in /etc/ssh/ssh_host_*_key.pub; do [ -f \"$k\" ] && echo \"hostkey $(cat \"$k\")\"; done",
        keys = authorized_keys_of(&r.user),
        root_path = quote(&root_path),
        root_command = quote(&hashing_receive_command(&root_path)),
        home_name = quote(&leftovers::relayed_in_home(tag)),
        public = quote(public),
        mark = quote(mark),
    )
}

/// A hop, on the sender: the copy sent over SSH, the receiver's host key verified; with `last` (the sender's last
/// hop) its key directory removed.
pub(super) fn send_script(dir: &str, last: bool, r: &Peer, host_keys: &[String], staged: &str) -> String {
    let known: String = host_keys.iter().map(|k| format!("{PEER_ALIAS} {k}\n")).collect();
    let remove = if last { "trap 'rm -rf \"$d\"' EXIT\n" } else { "" };
    format!(
        "d={dir}\n\
         {remove}\
         printf '%s' {known} > \"$d/known_hosts\"\n\
         ssh -F /dev/null -i \"$d/key\" -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes \
         -o UserKnownHostsFile=\"$d/known_hosts\" -o GlobalKnownHostsFile=/dev/null -o HostKeyAlias={PEER_ALIAS} \
         -o Ciphers={RELAY_CIPHERS} -o ConnectTimeout=10 -o ServerAliveInterval=10 -o LogLevel=ERROR \
         -p {port} -l {user} {address} relay < {staged}",
        dir = quote(dir),
        known = quote(&known),
        port = r.port,
        user = quote(&r.user),
        address = quote(&r.address),
        staged = quote(staged),
    )
}

/// On a receiver: its key line removed — in its last command, or alone when its hop did not get that far.
pub(super) fn deauthorize_script(user: &str, mark: &str) -> String {
    remove_key_lines_script(&authorized_keys_of(user), &[mark])
}

/// Sets `u` to the login `user`, `h` to its home and `f` to its `authorized_keys`.
fn authorized_keys_of(user: &str) -> String {
    format!("u={}; h=$(getent passwd \"$u\" | cut -d: -f6); f=\"$h/.ssh/authorized_keys\"", quote(user))
}

/// Every change to `authorized_keys` (`$f`) is made holding its lock (`flock` on the file itself, held until the
/// script ends): a host's relay key lines are added by its relay setup, removed by its hop's last command and by
/// the leftovers sweep, and those may run side by side — without the lock one's rewrite could drop a line another
/// just added, or put back one another just removed. A host without `flock` (rare: util-linux) goes unlocked.
const LOCK_KEYS: &str = "exec 9>>\"$f\"; if command -v flock >/dev/null; then flock 9; fi";

/// The lines carrying any of `marks` removed from the `authorized_keys` that `assign_f` sets `f` to (nothing to do
/// when it does not exist), under [`LOCK_KEYS`]; the file keeps its inode, owner and mode (rewritten in place), and
/// stays as it was when it cannot be read.
pub(in crate::apply) fn remove_key_lines_script(assign_f: &str, marks: &[&str]) -> String {
    let patterns: Vec<String> = marks.iter().map(|m| format!("-e {}", quote(m))).collect();
    format!(
        "( {assign_f}\n\
         [ -f \"$f\" ] || exit 0\n\
         {LOCK_KEYS}\n\
         t=$(mktemp \"$f.kw-XXXXXX\") || exit 1\n\
         grep -vF {patterns} \"$f\" > \"$t\"; if [ $? -le 1 ]; then cat \"$t\" > \"$f\"; r=$?; else r=1; fi; rm -f \"$t\"; exit $r )",
        patterns = patterns.join(" "),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::leftovers::uploaded_tarball;
    use crate::plan::leftovers::RELAY_KEY_MARK;
    use crate::transport::Transport;
    use std::sync::Arc;

    fn peer(user: &str) -> Peer {
        let transport: Arc<dyn Transport> = Arc::new(crate::transport::local::LocalTransport::new("h2", false));
        Peer { name: "h2".into(), transport, address: "10.0.0.2".into(), port: 2222, user: user.into() }
    }

    fn release() -> Release {
        Release {
            local: "/c/k.tgz".into(),
            sha512: "ab".repeat(64),
            uncompressed: false,
            staged: uploaded_tarball("/opt", "kafka_2.13-4.1.1.tgz"),
            install_dir: "/opt".into(),
            tarball: "kafka_2.13-4.1.1.tgz".into(),
        }
    }

    /// `sh -n`: the script parses.
    fn parses(script: &str) {
        let out = std::process::Command::new("sh").args(["-n", "-c", script]).output().unwrap();
        assert!(out.status.success(), "{}\n{script}", String::from_utf8_lossy(&out.stderr));
    }

    #[test]
    fn the_receivers_key_line_is_restricted_to_writing_one_temporary_file_and_carries_its_creation_time() {
        let mark = format!("{RELAY_KEY_MARK}1764590000-0123456789abcdef");
        let script = authorize_script(&peer("deploy"), &release(), "0123456789abcdef", &mark, "ssh-ed25519 AAAAkey");
        parses(&script);
        assert!(script.contains("printf 'restrict,command=\"%s\" %s %s"), "{script}");
        assert!(
            script.contains("c=\"set -C; umask 077; cat > '$p'\""),
            "a sudo login's copy is only written: {script}"
        );
        let root_command = hashing_receive_command("/opt/.kafka_2.13-4.1.1.tgz.relay.kw-0123456789abcdef");
        assert!(script.contains(&format!("c={}", quote(&root_command))), "a root login's is hashed too: {script}");
        assert!(!root_command.contains('"'), "it stands in the key line's double quotes: {root_command}");
        assert!(script.contains(&format!("'ssh-ed25519 AAAAkey' {}", quote(&mark))), "{script}");
        assert!(
            script.contains("/opt/.kafka_2.13-4.1.1.tgz.relay.kw-0123456789abcdef"),
            "root's copy lands in a swept name"
        );
        assert!(script.contains(".kw-upload-relay-0123456789abcdef"), "a sudo user's in its home: {script}");
        parses(&deauthorize_script("deploy", &mark));
    }

    #[test]
    fn the_sender_verifies_the_receivers_host_key_strictly_with_a_known_hosts_of_that_key_only() {
        let keys = vec!["ssh-ed25519 AAAAhost".to_string()];
        let script = send_script("/opt/.relay.kw-abc", true, &peer("root"), &keys, "/opt/.k.tgz.upload");
        parses(&script);
        for option in [
            "StrictHostKeyChecking=yes",
            "GlobalKnownHostsFile=/dev/null",
            "BatchMode=yes",
            "IdentitiesOnly=yes",
            "-F /dev/null",
        ] {
            assert!(script.contains(option), "{option}: {script}");
        }
        assert!(script.contains(&format!("'{PEER_ALIAS} ssh-ed25519 AAAAhost\n'")), "{script}");
        assert!(script.contains("-p 2222 -l root 10.0.0.2 relay < /opt/.k.tgz.upload"), "{script}");
        assert!(script.contains("trap 'rm -rf \"$d\"' EXIT"), "the key pair goes with the last send: {script}");
        let earlier = send_script("/opt/.relay.kw-abc", false, &peer("root"), &keys, "/opt/.k.tgz.upload");
        parses(&earlier);
        assert!(!earlier.contains("rm -rf"), "an earlier send keeps the key for the next: {earlier}");
        parses(&keygen_script("/opt"));
    }

    #[test]
    fn a_hop_offers_aes_gcm_first_and_still_every_cipher_of_openssh_s_defaults() {
        let script = send_script("/opt/.relay.kw-abc", true, &peer("root"), &["ssh-ed25519 AAAAhost".into()], "/opt/k");
        let offered = script.split("-o Ciphers=").nth(1).unwrap().split_whitespace().next().unwrap();
        let offered: Vec<&str> = offered.split(',').collect();
        assert_eq!(offered[0], "aes128-gcm@openssh.com", "{script}");
        // OpenSSH's default cipher list (ssh_config(5), Ciphers): a receiver allowing any of them is reached
        for default in
            ["chacha20-poly1305@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr", "aes256-gcm@openssh.com"]
        {
            assert!(offered.contains(&default), "{default} offered: {script}");
        }
    }

    #[test]
    fn the_receivers_last_command_places_the_copy_verifies_it_there_and_deletes_one_that_is_not_the_release() {
        let dir = tempfile::tempdir().unwrap();
        let (got, staged) = (dir.path().join("got"), dir.path().join("staged"));
        let mut release = release();
        release.staged = staged.to_str().unwrap().to_string();
        let run = |content: &[u8], release: &Release| {
            std::fs::write(&got, content).unwrap();
            let script = finish_script("no-such-user-kw", "m", got.to_str().unwrap(), false, release);
            parses(&script);
            // making the copy root's needs root; the rest is the same as a user
            let script = if unsafe { libc::geteuid() } == 0 { script } else { script.replace("chown 0:0", "true") };
            std::process::Command::new("sh").args(["-c", &script]).output().unwrap()
        };
        let bad = run(b"not the release", &release);
        assert_eq!(bad.status.code(), Some(VERIFY_MISMATCH), "{}", String::from_utf8_lossy(&bad.stderr));
        assert!(String::from_utf8_lossy(&bad.stdout).starts_with("eb731d23"), "prints the copy's SHA-512");
        assert!(!got.exists() && !staged.exists(), "the bad copy is gone, nothing left in place");
        let sum = std::process::Command::new("sh").args(["-c", "printf good | sha512sum | cut -c1-128"]).output();
        release.sha512 = String::from_utf8(sum.unwrap().stdout).unwrap().trim().to_string();
        let good = run(b"good", &release);
        assert!(good.status.success(), "{}", String::from_utf8_lossy(&good.stderr));
        assert!(!got.exists(), "moved, not copied");
        assert_eq!(std::fs::read(&staged).unwrap(), b"good");
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&staged).unwrap().permissions().mode() & 0o777, 0o600);
    }

    #[test]
    fn a_root_logins_copy_is_hashed_as_it_arrives_and_its_last_command_compares_the_sum_and_moves_it_into_place() {
        let dir = tempfile::tempdir().unwrap();
        let (got, staged) = (dir.path().join("got"), dir.path().join("staged"));
        let got_path = got.to_str().unwrap();
        let mut release = release();
        release.staged = staged.to_str().unwrap().to_string();
        let sum = std::process::Command::new("sh").args(["-c", "printf good | sha512sum | cut -c1-128"]).output();
        release.sha512 = String::from_utf8(sum.unwrap().stdout).unwrap().trim().to_string();
        let sh = |script: &str, input: &[u8]| {
            use std::io::Write;
            let mut child = std::process::Command::new("sh")
                .args(["-c", script])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            // a command that refuses at once never reads its input: the pipe's broken end is no failure here
            let _ = child.stdin.take().unwrap().write_all(input);
            child.wait_with_output().unwrap()
        };
        let finish = finish_script("no-such-user-kw", "m", got_path, true, &release);
        parses(&finish);
        // as root the copy is made root's; the rest is the same as a user
        let finish = if unsafe { libc::geteuid() } == 0 { finish } else { finish.replace("chown 0:0", "true") };
        let receive = hashing_receive_command(got_path);
        parses(&receive);

        assert!(sh(&receive, b"good").status.success());
        assert_eq!(std::fs::read(&got).unwrap(), b"good", "written as it arrived");
        let second = sh(&receive, b"other bytes");
        assert!(!second.status.success(), "a second connection for the same key line writes nothing");
        assert_eq!(std::fs::read(&got).unwrap(), b"good", "the first copy untouched");
        let ok = sh(&finish, b"");
        assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
        assert_eq!(std::fs::read(&staged).unwrap(), b"good");
        assert!(
            !got.exists() && !std::path::Path::new(&leftovers::relayed_sum(got_path)).exists(),
            "moved, its sum removed"
        );
        std::fs::remove_file(&staged).unwrap();

        assert!(sh(&receive, b"tampered").status.success());
        let bad = sh(&finish, b"");
        assert_eq!(bad.status.code(), Some(VERIFY_MISMATCH), "{}", String::from_utf8_lossy(&bad.stderr));
        let printed = String::from_utf8_lossy(&bad.stdout).trim().to_string();
        let want = std::process::Command::new("sh").args(["-c", "printf tampered | sha512sum | cut -c1-128"]).output();
        assert_eq!(printed, String::from_utf8(want.unwrap().stdout).unwrap().trim(), "prints the copy's SHA-512");
        assert!(!got.exists() && !staged.exists(), "the bad copy is gone, nothing left in place");

        // a copy that never arrived whole (no file, or a sum without its file): refused, not taken for a mismatch
        std::fs::write(leftovers::relayed_sum(got_path), format!("{}  -\n", release.sha512)).unwrap();
        let missing = sh(&finish, b"");
        assert_eq!(missing.status.code(), Some(1), "{}", String::from_utf8_lossy(&missing.stderr));
        assert!(String::from_utf8_lossy(&missing.stderr).contains("did not arrive whole"));
        assert!(!staged.exists() && !std::path::Path::new(&leftovers::relayed_sum(got_path)).exists());
    }
}
