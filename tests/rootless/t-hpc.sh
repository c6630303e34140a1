# shellcheck shell=bash
# Shared hosts and HPC (issue 10): a variable given twice, keep-id, CDI
# devices, network filesystems, batch use.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

test_env_given_twice_last_wins() {
    # Slurm appends the job's environment to the bundle's: the last PATH wins, as in runc.
    cfg '.process.env = ["PATH=/nowhere", "A=first", "BURROW_TEST_TAG=" + env.BURROW_TEST_TAG, "A=second", "PATH=/bin:/sbin"]'
    set_args sh -c 'echo "A=$A PATH=$PATH"; env | grep -c "^A="'
    probe_ok
    assert_eq "$OUT" "A=second PATH=/bin:/sbin
1" "the last value, once"
}

test_exec_env_given_twice_last_wins() {
    cfg '.process.env = ["PATH=/nowhere", "A=first", "BURROW_TEST_TAG=" + env.BURROW_TEST_TAG, "A=second", "PATH=/bin:/sbin"]'
    probe_args sleep 60
    capture rt run --detach --bundle "$BUNDLE" "$CID"
    assert_ok
    wait_status "$CID" running
    capture rt exec "$CID" sh -c 'echo "A=$A PATH=$PATH"'
    assert_ok
    assert_eq "$OUT" "A=second PATH=/bin:/sbin" "exec sees the last value"
    capture rt exec -e A=third "$CID" sh -c 'echo "A=$A"'
    assert_eq "$OUT" "A=third" "exec -e overrides"
    kill_and_delete "$CID"
}

run_tests "$@"
