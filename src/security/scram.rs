//! The client side of SCRAM-SHA-256 / SCRAM-SHA-512 (RFC 5802, RFC 7677) as Kafka speaks it
//! (docs/facts/kafka.md §11): user names escaped (`=` → `=3D`, `,` → `=2C`), the password used as UTF-8 without
//! SASLprep, no channel binding (`n,,`), at least 4096 iterations, and the server's signature verified before the
//! exchange counts as a success.
//!
//! Owns the three client steps over text messages; carrying them in SaslAuthenticate is `security::client`'s.
//!
//! SaltedPassword is kept for the process's life per (mechanism, salt, iterations, password), as RFC 5802 §5.1
//! allows a client to: Kafka answers one user with the same salt every time, and a health gate polling three
//! brokers four times a second would otherwise run PBKDF2 (8192 rounds of HMAC-SHA-512) for every connection.

use super::{random_password, Secret};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256, Sha512};

/// Kafka's two SCRAM mechanisms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScramMechanism {
    Sha256,
    Sha512,
}

impl ScramMechanism {
    /// The SASL mechanism name (`SCRAM-SHA-512`), as in `sasl.enabled.mechanisms`.
    pub fn name(self) -> &'static str {
        match self {
            ScramMechanism::Sha256 => "SCRAM-SHA-256",
            ScramMechanism::Sha512 => "SCRAM-SHA-512",
        }
    }

    pub fn from_name(name: &str) -> Option<ScramMechanism> {
        [ScramMechanism::Sha256, ScramMechanism::Sha512].into_iter().find(|m| m.name().eq_ignore_ascii_case(name))
    }
}

/// Serialised as its SASL name (`SCRAM-SHA-512`).
impl serde::Serialize for ScramMechanism {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// Kafka's minimum (and default) iteration count; a server asking for fewer is refused, as Kafka's client does.
pub const MIN_ITERATIONS: u32 = 4096;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScramError {
    #[error("the server's SCRAM message is malformed: {0}")]
    Malformed(String),
    #[error("the server's SCRAM nonce does not extend ours")]
    NonceMismatch,
    #[error("the server asks for {0} SCRAM iterations, fewer than the minimum {MIN_ITERATIONS}")]
    TooFewIterations(u32),
    #[error("the server refused the SCRAM proof: {0}")]
    ServerError(String),
    #[error("the server's SCRAM signature is wrong: it does not know this user's credential")]
    ServerSignatureMismatch,
}

/// One SCRAM exchange: `client_first` → `client_final(server_first)` → `verify_server_final(server_final)`.
pub struct ScramClient {
    mechanism: ScramMechanism,
    password: Secret,
    nonce: String,
    client_first_bare: String,
    expected_server_signature: Option<Vec<u8>>,
}

impl std::fmt::Debug for ScramClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScramClient").field("mechanism", &self.mechanism).finish_non_exhaustive()
    }
}

impl ScramClient {
    /// A new exchange with a fresh random nonce.
    pub fn new(mechanism: ScramMechanism, username: &str, password: &Secret) -> ScramClient {
        ScramClient::with_nonce(mechanism, username, password, random_password(32).expose())
    }

    /// A new exchange with the given client nonce (tests use the RFC's).
    pub fn with_nonce(mechanism: ScramMechanism, username: &str, password: &Secret, nonce: &str) -> ScramClient {
        let client_first_bare = format!("n={},r={nonce}", escape_username(username));
        ScramClient {
            mechanism,
            password: password.clone(),
            nonce: nonce.to_string(),
            client_first_bare,
            expected_server_signature: None,
        }
    }

    /// `n,,n=<user>,r=<nonce>`.
    pub fn client_first(&self) -> String {
        format!("n,,{}", self.client_first_bare)
    }

    /// Answers `r=<nonce>,s=<salt>,i=<iterations>` with `c=biws,r=<nonce>,p=<proof>`.
    pub fn client_final(&mut self, server_first: &str) -> Result<String, ScramError> {
        let attr = |key: char| attribute(server_first, key);
        let nonce = attr('r').ok_or_else(|| ScramError::Malformed(format!("no nonce in {server_first:?}")))?;
        if !nonce.starts_with(&self.nonce) || nonce.len() == self.nonce.len() {
            return Err(ScramError::NonceMismatch);
        }
        let salt = attr('s').ok_or_else(|| ScramError::Malformed(format!("no salt in {server_first:?}")))?;
        let salt = b64(salt).ok_or_else(|| ScramError::Malformed(format!("salt {salt:?} is not base64")))?;
        let iterations =
            attr('i').ok_or_else(|| ScramError::Malformed(format!("no iterations in {server_first:?}")))?;
        let iterations: u32 = iterations
            .parse()
            .map_err(|_| ScramError::Malformed(format!("iterations {iterations:?} is not a number")))?;
        if iterations < MIN_ITERATIONS {
            return Err(ScramError::TooFewIterations(iterations));
        }
        let without_proof = format!("c=biws,r={nonce}");
        let auth_message = format!("{},{server_first},{without_proof}", self.client_first_bare);
        let (proof, server_signature) =
            proof_and_signature(self.mechanism, &self.password, &salt, iterations, &auth_message);
        self.expected_server_signature = Some(server_signature);
        Ok(format!("{without_proof},p={}", base64_encode(&proof)))
    }

    /// Checks `v=<signature>` (or reports `e=<error>`): only a server that knows the credential can sign.
    pub fn verify_server_final(&self, server_final: &str) -> Result<(), ScramError> {
        if let Some(error) = attribute(server_final, 'e') {
            return Err(ScramError::ServerError(error.to_string()));
        }
        let signature = attribute(server_final, 'v')
            .ok_or_else(|| ScramError::Malformed(format!("no signature in {server_final:?}")))?;
        let signature = b64(signature).ok_or_else(|| ScramError::Malformed("the signature is not base64".into()))?;
        match &self.expected_server_signature {
            Some(expected) if expected == &signature => Ok(()),
            Some(_) => Err(ScramError::ServerSignatureMismatch),
            None => Err(ScramError::Malformed("server-final before server-first".into())),
        }
    }
}

/// RFC 5802 §5.1 `saslname`: `=` → `=3D`, `,` → `=2C`.
pub fn escape_username(name: &str) -> String {
    name.replace('=', "=3D").replace(',', "=2C")
}

fn attribute(message: &str, key: char) -> Option<&str> {
    message.split(',').find_map(|part| part.strip_prefix(key).and_then(|rest| rest.strip_prefix('=')))
}

fn b64(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// RFC 5802 §3: SaltedPassword = Hi(password, salt, i), PBKDF2 with HMAC of the mechanism's hash — what a server
/// stores (with the salt and i) and what AlterUserScramCredentials carries instead of the password.
pub fn salted_password(mechanism: ScramMechanism, password: &Secret, salt: &[u8], iterations: u32) -> Vec<u8> {
    match mechanism {
        ScramMechanism::Sha256 => {
            let mut out = vec![0u8; 32];
            pbkdf2::pbkdf2_hmac::<Sha256>(password.expose().as_bytes(), salt, iterations, &mut out);
            out
        }
        ScramMechanism::Sha512 => {
            let mut out = vec![0u8; 64];
            pbkdf2::pbkdf2_hmac::<Sha512>(password.expose().as_bytes(), salt, iterations, &mut out);
            out
        }
    }
}

/// How many SaltedPasswords the process keeps (users × mechanisms a run speaks as; the oldest goes first).
const SALTED_KEPT: usize = 16;

struct KeptSalted {
    mechanism: ScramMechanism,
    iterations: u32,
    salt: Vec<u8>,
    /// SHA-256 of the password: tells a changed password apart without keeping the password itself.
    password_digest: [u8; 32],
    salted: zeroize::Zeroizing<Vec<u8>>,
}

static SALTED: std::sync::Mutex<Vec<KeptSalted>> = std::sync::Mutex::new(Vec::new());

/// [`salted_password`], computed once per (mechanism, salt, iterations, password) in this process.
fn kept_salted_password(
    mechanism: ScramMechanism,
    password: &Secret,
    salt: &[u8],
    iterations: u32,
) -> zeroize::Zeroizing<Vec<u8>> {
    let password_digest: [u8; 32] = Sha256::digest(password.expose().as_bytes()).into();
    let matches = |k: &KeptSalted| {
        k.mechanism == mechanism && k.iterations == iterations && k.salt == salt && k.password_digest == password_digest
    };
    if let Some(kept) = SALTED.lock().unwrap_or_else(|e| e.into_inner()).iter().find(|k| matches(k)) {
        return kept.salted.clone();
    }
    // Computed outside the lock: connections to several brokers authenticate side by side.
    let salted = zeroize::Zeroizing::new(salted_password(mechanism, password, salt, iterations));
    let mut kept = SALTED.lock().unwrap_or_else(|e| e.into_inner());
    if !kept.iter().any(matches) {
        if kept.len() >= SALTED_KEPT {
            kept.remove(0);
        }
        kept.push(KeptSalted { mechanism, iterations, salt: salt.to_vec(), password_digest, salted: salted.clone() });
    }
    salted
}

/// RFC 5802 §3: ClientKey = HMAC(SaltedPassword, "Client Key"); ClientProof = ClientKey XOR HMAC(H(ClientKey),
/// AuthMessage); ServerSignature = HMAC(HMAC(SaltedPassword, "Server Key"), AuthMessage).
/// Returns (ClientProof, ServerSignature).
macro_rules! proof_and_signature {
    ($digest:ty, $salted:expr, $auth_message:expr) => {{
        let hmac = |key: &[u8], data: &[u8]| {
            let mut mac = <Hmac<$digest> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
            mac.update(data);
            mac.finalize().into_bytes().to_vec()
        };
        let client_key = hmac($salted, b"Client Key");
        let stored_key = <$digest as Digest>::digest(&client_key).to_vec();
        let client_signature = hmac(&stored_key, $auth_message.as_bytes());
        let proof: Vec<u8> = client_key.iter().zip(&client_signature).map(|(k, s)| k ^ s).collect();
        let server_key = hmac($salted, b"Server Key");
        (proof, hmac(&server_key, $auth_message.as_bytes()))
    }};
}

fn proof_and_signature(
    mechanism: ScramMechanism,
    password: &Secret,
    salt: &[u8],
    iterations: u32,
    auth_message: &str,
) -> (Vec<u8>, Vec<u8>) {
    let salted = kept_salted_password(mechanism, password, salt, iterations);
    match mechanism {
        ScramMechanism::Sha256 => proof_and_signature!(Sha256, &salted, auth_message),
        ScramMechanism::Sha512 => proof_and_signature!(Sha512, &salted, auth_message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7677 §3.
    const NONCE: &str = "rOprNGfwEbeRWgbNEkqO";
    const SERVER_FIRST: &str = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    const CLIENT_FINAL: &str =
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    const SERVER_FINAL: &str = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    fn rfc_client() -> ScramClient {
        ScramClient::with_nonce(ScramMechanism::Sha256, "user", &Secret::new("pencil"), NONCE)
    }

    #[test]
    fn the_rfc_7677_exchange_gives_the_rfc_messages_and_accepts_the_server_signature() {
        let mut client = rfc_client();
        assert_eq!(client.client_first(), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        assert_eq!(client.client_final(SERVER_FIRST).unwrap(), CLIENT_FINAL);
        client.verify_server_final(SERVER_FINAL).unwrap();
    }

    #[test]
    fn a_server_final_with_another_signature_is_refused() {
        let mut client = rfc_client();
        client.client_final(SERVER_FIRST).unwrap();
        let forged = "v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";
        assert_eq!(client.verify_server_final(forged), Err(ScramError::ServerSignatureMismatch));
    }

    #[test]
    fn a_server_error_is_reported_with_its_text() {
        let mut client = rfc_client();
        client.client_final(SERVER_FIRST).unwrap();
        let err = client.verify_server_final("e=invalid-proof").unwrap_err();
        assert_eq!(err, ScramError::ServerError("invalid-proof".into()));
    }

    #[test]
    fn a_server_nonce_that_does_not_extend_ours_is_refused() {
        let mut client = rfc_client();
        let other = SERVER_FIRST.replace("rOprNGfwEbeRWgbNEkqO%", "xOprNGfwEbeRWgbNEkqO%");
        assert_eq!(client.client_final(&other), Err(ScramError::NonceMismatch));
    }

    #[test]
    fn fewer_than_4096_iterations_are_refused() {
        let mut client = rfc_client();
        let weak = SERVER_FIRST.replace("i=4096", "i=1000");
        assert_eq!(client.client_final(&weak), Err(ScramError::TooFewIterations(1000)));
    }

    #[test]
    fn user_names_escape_equals_and_comma() {
        let client = ScramClient::with_nonce(ScramMechanism::Sha512, "a=b,c", &Secret::new("p"), "n0");
        assert_eq!(client.client_first(), "n,,n=a=3Db=2Cc,r=n0");
    }

    #[test]
    fn sha512_proves_itself_to_a_server_computing_the_same_keys() {
        let password = Secret::new("pässword");
        let mut client = ScramClient::with_nonce(ScramMechanism::Sha512, "admin", &password, "abc");
        let server_first = "r=abcdef,s=c2FsdA==,i=4096";
        let client_final = client.client_final(server_first).unwrap();
        let auth_message = format!("n=admin,r=abc,{server_first},c=biws,r=abcdef");
        let (proof, signature) = proof_and_signature(ScramMechanism::Sha512, &password, b"salt", 4096, &auth_message);
        assert_eq!(client_final, format!("c=biws,r=abcdef,p={}", base64_encode(&proof)));
        assert_eq!(proof.len(), 64);
        client.verify_server_final(&format!("v={}", base64_encode(&signature))).unwrap();
    }

    #[test]
    fn a_kept_salted_password_answers_only_the_same_password_salt_and_iterations() {
        let exchange = |password: &str, server_first: &str| {
            let mut client = ScramClient::with_nonce(ScramMechanism::Sha256, "u", &Secret::new(password), "n");
            client.client_final(server_first).unwrap()
        };
        let first = "r=nn,s=a2VwdC1zYWx0,i=4096";
        let again = exchange("one", first);
        assert_eq!(exchange("one", first), again, "the same credential gives the same proof");
        assert_ne!(exchange("two", first), again, "a changed password is not answered from what was kept");
        assert_ne!(exchange("one", "r=nn,s=b3RoZXItc2FsdA==,i=4096"), again, "another salt");
        assert_ne!(exchange("one", "r=nn,s=a2VwdC1zYWx0,i=4097"), again, "other iterations");
        let salted = salted_password(ScramMechanism::Sha256, &Secret::new("two"), b"kept-salt", 4096);
        let kept = kept_salted_password(ScramMechanism::Sha256, &Secret::new("two"), b"kept-salt", 4096);
        assert_eq!(*kept, salted);
    }

    #[test]
    fn mechanism_names_are_kafkas() {
        assert_eq!(ScramMechanism::from_name("scram-sha-512"), Some(ScramMechanism::Sha512));
        assert_eq!(ScramMechanism::Sha256.name(), "SCRAM-SHA-256");
        assert_eq!(ScramMechanism::from_name("PLAIN"), None);
    }

    #[test]
    fn the_password_never_shows_in_debug_output() {
        let client = ScramClient::with_nonce(ScramMechanism::Sha512, "admin", &Secret::new("hunter2"), "n");
        assert!(!format!("{client:?}").contains("hunter2"));
    }
}
