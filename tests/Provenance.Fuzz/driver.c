/*
 * A libFuzzer driver for the .NET fuzz targets of Provenance.Fuzz (SharpFuzz's libFuzzer mode).
 *
 * libFuzzer runs in this process; the target runs in a .NET child started once. They talk as SharpFuzz's
 * Fuzzer.LibFuzzer.Run expects: a System V shared memory segment (id in __LIBFUZZER_SHM_ID) holds the
 * coverage map the instrumented assembly writes, followed by the input; the driver writes each input's
 * length (int32) on file descriptor 198 and reads a status (int32, 0 for no exception) from 199, both
 * descriptors named in the environment too (__LIBFUZZER_CONTROL_PIPE_ID, __LIBFUZZER_STATUS_PIPE_ID). The child
 * first writes one status to say it is ready. The map is copied into libFuzzer's extra counters after each
 * run, which is how the .NET code's coverage guides libFuzzer.
 *
 * A non-zero status, or the child dying (a StackOverflowException or FailFast kills the process), is a
 * crash: the driver aborts so that libFuzzer saves the input.
 *
 * Environment: PROVENANCE_FUZZ_DLL (path of Provenance.Fuzz.dll) and PROVENANCE_FUZZ_TARGET (its name).
 * Build: clang -O1 -fsanitize=fuzzer driver.c -o provenance-fuzz-driver
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <unistd.h>

enum
{
    COVERAGE_BYTES = 1 << 16,
    MAX_INPUT_BYTES = 1 << 20,
    CONTROL_FD = 198,
    STATUS_FD = 199,
};

__attribute__((used, section("__libfuzzer_extra_counters"))) static uint8_t coverage[COVERAGE_BYTES];

static uint8_t *shared;
static int shared_id = -1;
static int control_fd = -1;
static int status_fd = -1;

static void fail(const char *what)
{
    fprintf(stderr, "provenance-fuzz-driver: %s: %s\n", what, errno ? strerror(errno) : "failed");
    exit(1);
}

static void remove_shared(void)
{
    if (shared_id >= 0)
    {
        shmctl(shared_id, IPC_RMID, NULL);
    }
}

/* Moves exactly count bytes; 0 when the other end is closed, -1 on an error. */
static int transfer(int fd, void *buffer, size_t count, int writing)
{
    uint8_t *bytes = buffer;
    size_t done = 0;
    while (done < count)
    {
        ssize_t n = writing ? write(fd, bytes + done, count - done) : read(fd, bytes + done, count - done);
        if (n < 0 && errno == EINTR)
        {
            continue;
        }

        if (n <= 0)
        {
            return (int)n;
        }

        done += (size_t)n;
    }

    return 1;
}

static void start_target(void)
{
    const char *dll = getenv("PROVENANCE_FUZZ_DLL");
    const char *target = getenv("PROVENANCE_FUZZ_TARGET");
    if (!dll || !target)
    {
        errno = 0;
        fail("set PROVENANCE_FUZZ_DLL and PROVENANCE_FUZZ_TARGET");
    }

    int control[2], status[2];
    if (pipe(control) || pipe(status))
    {
        fail("pipe");
    }

    shared_id = shmget(IPC_PRIVATE, COVERAGE_BYTES + MAX_INPUT_BYTES, IPC_CREAT | IPC_EXCL | 0600);
    if (shared_id < 0)
    {
        fail("shmget");
    }

    atexit(remove_shared);
    shared = shmat(shared_id, NULL, 0);
    if (shared == (void *)-1)
    {
        fail("shmat");
    }

    pid_t child = fork();
    if (child < 0)
    {
        fail("fork");
    }

    if (child == 0)
    {
        /* A target stuck in a loop must not outlive a driver that libFuzzer stopped for a timeout. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        char id[16];
        snprintf(id, sizeof id, "%d", shared_id);
        if (dup2(control[0], CONTROL_FD) < 0 || dup2(status[1], STATUS_FD) < 0 || setenv("__LIBFUZZER_SHM_ID", id, 1)
            || setenv("__LIBFUZZER_CONTROL_PIPE_ID", "198", 1) || setenv("__LIBFUZZER_STATUS_PIPE_ID", "199", 1))
        {
            fail("child setup");
        }

        close(control[0]);
        close(control[1]);
        close(status[0]);
        close(status[1]);
        execlp("dotnet", "dotnet", dll, target, (char *)NULL);
        fail("exec dotnet");
    }

    close(control[0]);
    close(status[1]);
    control_fd = control[1];
    status_fd = status[0];

    int32_t ready;
    if (transfer(status_fd, &ready, sizeof ready, 0) != 1)
    {
        errno = 0;
        fail("the .NET target did not start (see its output above)");
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    signal(SIGPIPE, SIG_IGN);
    start_target();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT_BYTES)
    {
        /* Larger than the shared segment holds; run.sh keeps -max_len below this. */
        return -1;
    }

    memset(shared, 0, COVERAGE_BYTES);
    memcpy(shared + COVERAGE_BYTES, data, size);
    int32_t length = (int32_t)size;
    int32_t status = 0;
    if (transfer(control_fd, &length, sizeof length, 1) != 1 || transfer(status_fd, &status, sizeof status, 0) != 1)
    {
        fprintf(stderr, "provenance-fuzz-driver: the .NET target died on this input\n");
        abort();
    }

    memcpy(coverage, shared, COVERAGE_BYTES);
    if (status != 0)
    {
        fprintf(stderr, "provenance-fuzz-driver: the .NET target threw an unexpected exception on this input (above)\n");
        abort();
    }

    return 0;
}
