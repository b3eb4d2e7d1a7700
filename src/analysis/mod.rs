//! Analyses of a run's facts: catalogue findings, the plan of rules to
//! add, what each build transfers, `COPY` sources that will not be found,
//! and lint of the ignore file. Each turns facts into plain data; none
//! prints.

pub mod copies;
pub mod findings;
pub mod lint;
pub mod plan;
pub mod staged;
pub mod transfers;
