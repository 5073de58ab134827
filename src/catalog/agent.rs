//! The Prometheus JMX exporter java agent the wizard installs for `[monitoring] prometheus = true`: its Maven
//! coordinates, the pinned version and the pinned SHA-512 of its jar (the one home of these facts). The jar comes
//! from Maven Central or the repository `monitoring.maven_url` names; either way it is installed only when it
//! hashes to [`JMX_EXPORTER`]'s `sha512`, so a mirror needs no trust.

/// A java agent jar pinned by version and checksum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JavaAgent {
    /// Maven group id, dotted (`io.prometheus.jmx`).
    pub group: &'static str,
    pub artifact: &'static str,
    pub version: &'static str,
    /// Lowercase hex SHA-512 of the jar, as `sha512sum` prints it.
    pub sha512: &'static str,
}

/// Maven Central: the default repository of [`JavaAgent::urls`].
pub const MAVEN_CENTRAL: &str = "https://repo1.maven.org/maven2";

/// `io.prometheus.jmx:jmx_prometheus_javaagent` 1.0.1: the SHA-512 measured on the jar Maven Central serves (whose
/// own `.sha1` there, `f9c53eb0aa1828c3c9cd7647238563e43a4ed68c`, matched it; only the pin is checked).
pub const JMX_EXPORTER: JavaAgent = JavaAgent {
    group: "io.prometheus.jmx",
    artifact: "jmx_prometheus_javaagent",
    version: "1.0.1",
    sha512: "f81d876e8110cbabd4a9cb3fe1740ec2d896ec4bce5cb5049a2d74c40f43781418cea246f40e6afdfabbdf0e162cb837625f496dedcb76aebbba53b6ae7cacba",
};

/// The largest jar [`JavaAgent`] download accepted (the exporter is ~3 MB): a server sending more is cut off.
pub const MAX_AGENT_BYTES: u64 = 32 << 20;

impl JavaAgent {
    /// `jmx_prometheus_javaagent-1.0.1.jar`
    pub fn file_name(&self) -> String {
        format!("{}-{}.jar", self.artifact, self.version)
    }

    /// The jar's URL in a Maven-layout repository (`repository` without a trailing slash).
    pub fn url_in(&self, repository: &str) -> String {
        format!(
            "{}/{}/{}/{}/{}",
            repository.trim_end_matches('/'),
            self.group.replace('.', "/"),
            self.artifact,
            self.version,
            self.file_name()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exporter_jar_is_found_at_maven_central_s_layout() {
        assert_eq!(
            JMX_EXPORTER.url_in(MAVEN_CENTRAL),
            "https://repo1.maven.org/maven2/io/prometheus/jmx/jmx_prometheus_javaagent/1.0.1/jmx_prometheus_javaagent-1.0.1.jar"
        );
        assert_eq!(
            JMX_EXPORTER.url_in("http://m:8080/maven2/"),
            "http://m:8080/maven2/io/prometheus/jmx/jmx_prometheus_javaagent/1.0.1/jmx_prometheus_javaagent-1.0.1.jar"
        );
        assert_eq!(JMX_EXPORTER.sha512.len(), 128);
        assert!(JMX_EXPORTER.sha512.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    }
}
