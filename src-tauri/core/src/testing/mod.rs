//! Fake HubSpot, Airtable and Notion servers for tests and benchmarks. (being written)
