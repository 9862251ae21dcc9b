//! Why coverage or a table could not be made.

/// Why coverage or a table could not be made: rows handed over for the wrong county (a store
/// defect, not the user's data), or a writer that failed.
#[derive(Debug, thiserror::Error)]
pub enum TablesError {
    /// A register row of another county among a county's rows.
    #[error(
        "the register rows of county {county} hold household {household_id} of county {found}"
    )]
    RegisterOfAnotherCounty {
        /// The county being counted.
        county: String,
        /// The household.
        household_id: String,
        /// Its county.
        found: String,
    },
    /// A return of another county among a county's returns.
    #[error("the returns of county {county} hold return {return_id} of county {found}")]
    ReturnOfAnotherCounty {
        /// The county being counted.
        county: String,
        /// The return.
        return_id: String,
        /// Its county.
        found: String,
    },
    /// A household twice in a county's register.
    #[error("household {household_id} is twice in the register of county {county}: the register must hold each household once")]
    RegisterTwice {
        /// The county.
        county: String,
        /// The household.
        household_id: String,
    },
    /// A return whose outcome is none of the three.
    #[error("return {return_id} has the outcome {outcome:?}; expected enumerated, dissolved or moved_out")]
    UnknownOutcome {
        /// The return.
        return_id: String,
        /// What it says.
        outcome: String,
    },
    /// A county counted twice.
    #[error("county {0} was added to the tables twice")]
    CountyTwice(String),
    /// Quality counts for a county not added.
    #[error("quality counts for county {0}, which has not been added to the tables")]
    UnknownCounty(String),
    /// More rows than a worksheet holds.
    #[error("{rows} rows do not fit on the worksheet {sheet:?} (at most {max}); use the CSV")]
    TooManyRows {
        /// The sheet.
        sheet: String,
        /// Rows to write.
        rows: usize,
        /// Rows a sheet holds under its header.
        max: usize,
    },
    /// Writing a CSV file failed.
    #[error("writing the CSV")]
    Csv(#[source] csv::Error),
    /// Making a workbook failed.
    #[error("making the workbook")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}
