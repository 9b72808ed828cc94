//! SRP-6a as Cognito speaks it (being written).
