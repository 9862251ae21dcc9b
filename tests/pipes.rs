//! Writing to a reader that has gone away (`assess records ... | head`): the command ends
//! quietly with status 0, whether it prints line by line or through a CSV writer (issue 12
//! part 6).

use crate::util::{complete_visit, luquan, luquan_draw, repo_file};

/// Runs assess with its stdout's read end closed before it writes anything; (status, stderr).
fn with_closed_stdout(args: &[String]) -> (Option<i32>, String) {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("assess"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn a_closed_pipe_ends_quietly_with_status_zero() {
    let dir = tempfile::tempdir().unwrap();
    let (drawn, draw, households) = luquan_draw(dir.path(), 30);
    let records: Vec<_> = households
        .iter()
        .map(|h| complete_visit(&draw, h))
        .collect();
    let (_, villages) = luquan();
    let db = crate::util::database_with(dir.path(), &drawn, &villages, &records);
    let (register, _) = luquan();
    let s = |x: &str| x.to_string();
    for args in [
        vec![s("records"), s("--all-versions"), s("--db"), db.clone()],
        vec![s("draws"), s("--db"), db.clone()],
        vec![
            s("plan"),
            s("check"),
            repo_file("sample-plans/luquan-530128.toml")
                .display()
                .to_string(),
            s("--frame"),
            register.display().to_string(),
        ],
    ] {
        let (status, stderr) = with_closed_stdout(&args);
        assert_eq!(status, Some(0), "assess {}: {stderr}", args.join(" "));
        assert!(
            !stderr.contains("panicked"),
            "assess {}: {stderr}",
            args.join(" ")
        );
        assert!(
            !stderr.contains("Broken pipe"),
            "assess {}: {stderr}",
            args.join(" ")
        );
    }
}
