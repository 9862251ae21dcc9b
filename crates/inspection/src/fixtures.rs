//! Example records for examples and tests in this and other crates: a household meeting every
//! rule, and a complete visit to it. Compiled for this crate's tests, and for other crates with
//! the `fixtures` feature (their dev-dependencies turn it on); never in a release build.

use crate::*;
use assess_household::Status;
use assess_standards::{ComponentGrade, HouseGrade};

/// An exited household of three, income year 2019, meeting every rule with the built-in
/// standards: a starting point for examples and tests.
pub fn example_record() -> HouseholdRecord {
    let adult = |id: &str, age: u32, sex: Sex| Member {
        id: id.to_string(),
        birth_date: None,
        age: Some(age),
        sex: Some(sex),
        schooling: None,
        cover: MedicalCover {
            basic_medical_insurance: Some(true),
            serious_illness_insurance: Some(true),
            medical_assistance: Some(false),
        },
        id_number: None,
    };
    let mut child = adult("3", 10, Sex::Female);
    child.schooling = Some(Schooling::InSchool);
    HouseholdRecord {
        household_id: "H001".to_string(),
        status: Status::Exited,
        register_members: Some(3),
        members: vec![
            adult("1", 40, Sex::Male),
            adult("2", 38, Sex::Female),
            child,
        ],
        income_year: 2019,
        income: IncomeBySource {
            wages: Some(9000.0),
            business_net: Some(2000.0),
            property: Some(0.0),
            transfers: Some(1000.0),
            in_kind: Some(500.0),
        },
        food_adequate: Some(true),
        clothing_adequate: Some(true),
        protein_available: Some(true),
        housing: Housing {
            site_dangerous: Some(false),
            components: Components {
                load_bearing_walls: Some(ComponentGrade::A),
                foundation: Some(ComponentGrade::A),
                roof_truss: Some(ComponentGrade::A),
                wood_members: Some(ComponentGrade::NotPresent),
            },
            inspector_grade: Some(HouseGrade::A),
            renovation: Some(Renovation::None),
        },
        water: Water {
            litres_per_person_day: Some(60.0),
            water_scarce_area: Some(false),
            piped_to_yard: Some(true),
            fetch_minutes: None,
            horizontal_m: None,
            vertical_m: None,
            outage_days: Some(0),
            quality_ok: Some(true),
        },
        income_per_person_stated: Some(4166.67),
        approval: Some(Approval {
            exit: Some(Opinion::Satisfied),
            policies: Some(Opinion::Satisfied),
            help_received: Some(Opinion::BasicallySatisfied),
            cadres_work: Some(Opinion::Satisfied),
        }),
        identification: Some(Identification {
            owns_vehicle: Some(false),
            vehicle_value_yuan: None,
            urban_flat_or_shop: Some(false),
            registered_company: Some(false),
            public_payroll: Some(false),
            village_cadre: Some(false),
        }),
    }
}

/// A complete in-person visit to household `H001` of draw `D`, with [`example_record`]: a starting point for examples and tests.
pub fn example_visit() -> VisitRecord {
    VisitRecord {
        draw_id: "D".to_string(),
        household_id: "H001".to_string(),
        disposition: Disposition::Complete,
        mode: Some(InterviewMode::InPerson),
        team: "team-1".to_string(),
        interviewers: ["Li Wei".to_string(), "Zhang Min".to_string()],
        start: "2020-06-12T09:30:00+08:00".to_string(),
        end: "2020-06-12T10:45:00+08:00".to_string(),
        gps_start: Some(Gps {
            lat: 25.55,
            lon: 102.47,
        }),
        gps_end: None,
        household: Some(example_record()),
        notes: Vec::new(),
    }
}
