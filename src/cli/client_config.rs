//! `kafka-wizard client-config FILE --user NAME --out DIR`: a user's `client.properties` + `ca.pem` (0600).

use super::{load_spec, ProjectArg};
use kafka_wizard::security::client_config::write_client_config;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ClientConfigArgs {
    #[command(flatten)]
    pub project: ProjectArg,
    /// The user: security.admin_user or one of security.users.
    #[arg(long, value_name = "NAME")]
    pub user: String,
    /// Folder to write client.properties and ca.pem into (created 0700 if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

pub fn run(args: ClientConfigArgs) -> ExitCode {
    let (_, spec) = match load_spec(&args.project.file) {
        Ok(v) => v,
        Err(code) => return code,
    };
    match write_client_config(&spec, &args.user, &args.out) {
        Ok([properties, ca]) => {
            eprintln!(
                "wrote {} and {} (mode 0600; the properties file holds {}'s password)",
                properties.display(),
                ca.display(),
                args.user
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
