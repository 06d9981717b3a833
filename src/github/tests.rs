//! Client tests against a local fake server (mockito).
