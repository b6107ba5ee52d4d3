// Tests log nothing unless asked to: a failing test prints its own diagnostics.
process.env.LOG_LEVEL ??= 'silent';
