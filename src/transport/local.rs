//! Local transport: the machine the wizard runs on (implemented in the deploy issue).
