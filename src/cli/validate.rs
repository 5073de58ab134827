//! `kafka-wizard validate FILE [--json]`.

use super::{print_problems, ProjectArg};
use kafka_wizard::project;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub project: ProjectArg,
    /// Print {"valid": bool, "problems": [...]} on stdout instead of lines on stderr.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: ValidateArgs) -> ExitCode {
    let path = &args.project.file;
    let (valid, problems) = match project::load(path) {
        Ok(loaded) => (loaded.validation.spec.is_some(), loaded.validation.problems),
        Err(project::LoadError::Parse { source, .. }) => {
            let field = match &source {
                project::draft::ParseError::UnknownKey { path }
                | project::draft::ParseError::TrustSetting { path }
                | project::draft::ParseError::WrongType { path, .. } => path.clone(),
                project::draft::ParseError::Syntax(_) => String::new(),
                _ => "format".to_string(),
            };
            let message = source.to_string();
            let message = message.strip_prefix(&format!("{field}: ")).unwrap_or(&message).to_string();
            (false, vec![project::Problem::error(field, project::Text::english_only(message))])
        }
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if args.json {
        // The CLI speaks English: its JSON keeps {severity, field, message} (the Korean text is for the app).
        let problems: Vec<_> = problems
            .iter()
            .map(|p| serde_json::json!({ "severity": p.severity, "field": p.field, "message": p.message }))
            .collect();
        let out = serde_json::json!({ "valid": valid, "problems": problems });
        super::write_stdout(&format!("{}\n", serde_json::to_string_pretty(&out).expect("problems serialise")));
    } else {
        print_problems(&problems);
        let errors = problems.iter().filter(|p| p.is_error()).count();
        let warnings = problems.len() - errors;
        if valid {
            eprintln!("{}: valid ({warnings} warning(s))", path.display());
        } else {
            eprintln!("{}: {errors} error(s), {warnings} warning(s)", path.display());
        }
    }
    if valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
