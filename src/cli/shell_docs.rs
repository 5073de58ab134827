//! `kafka-wizard completions <bash|zsh|fish>` and `kafka-wizard man`: shell completions (`clap_complete`) and a
//! man page (`clap_mangen`), both generated from the same clap definition as the parser, printed on stdout for
//! packages and users to install (see README "Shell completions and man page").

use clap::CommandFactory;
use std::process::ExitCode;

/// The shells completions are generated for.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// The binary's name as users type it (and as completions register it).
const BIN: &str = "kafka-wizard";

pub fn completions(args: CompletionsArgs) -> ExitCode {
    let shell = match args.shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut super::Args::command(), BIN, &mut out);
    super::write_stdout(&String::from_utf8_lossy(&out));
    ExitCode::SUCCESS
}

/// The man page (section 1) in roff: name, synopsis, description, options and every subcommand.
pub fn man_page() -> Vec<u8> {
    let mut out = Vec::new();
    clap_mangen::Man::new(super::Args::command()).render(&mut out).expect("rendering into a Vec does not fail");
    out
}

pub fn man() -> ExitCode {
    super::write_stdout(&String::from_utf8_lossy(&man_page()));
    ExitCode::SUCCESS
}
