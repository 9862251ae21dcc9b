# Sourced by each benchmark's run.sh: which assess binary is measured.
#   assess_given   before the script changes directory: ASSESS (optional) is a path from the
#                  directory the script is run from, or a name on PATH; made absolute.
#   assess_binary  after it: without ASSESS, `cargo build --release` and target/release/assess.

assess_given() {
    [ -n "${ASSESS:-}" ] || return 0
    local a
    case $ASSESS in */*) a=$(realpath -m "$ASSESS") ;; *) a=$(command -v "$ASSESS" || true) ;; esac
    [ -n "$a" ] && [ -f "$a" ] && [ -x "$a" ] || { echo "ASSESS=$ASSESS: no such executable" >&2; exit 1; }
    ASSESS=$a
}

assess_binary() {
    if [ -z "${ASSESS:-}" ]; then
        echo "== cargo build --release"
        cargo build --release --quiet
        ASSESS=${CARGO_TARGET_DIR:-target}/release/assess
    fi
    [ -x "$ASSESS" ] || { echo "no assess binary at $ASSESS" >&2; exit 1; }
}
