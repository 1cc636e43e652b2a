//go:build unix

package frontend

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/org/slim/internal/benchdf"
	"github.com/stretchr/testify/require"
)

// TestPlanSpeed plans the 200-stage Dockerfile of issue 9 (4,000 install
// steps: pip and Poetry in a chain of stages that copy each other's
// venvs), which took 192 s when the rewrite was quadratic. The budget, 1 s,
// is for the whole plan: BuildKit's conversion and the rewrite. It is
// checked against the CPU time the process spends (all threads, the
// garbage collector's included), which other jobs on a shared machine do
// not inflate the way they inflate wall time.
func TestPlanSpeed(t *testing.T) {
	dt := benchdf.Chain(200)
	cpu0, start := cpuTime(t), time.Now()
	findings, err := Plan(context.Background(), "Dockerfile", "", dt, "", nil)
	wall, cpu := time.Since(start), cpuTime(t)-cpu0
	require.NoError(t, err)
	require.Equal(t, 200*3*benchdf.StepsPerStage+199+benchdf.StepsPerStage, len(findings),
		"every install step gets three findings, every stage copy one, every install of the last stage InstallCleanup's")
	t.Logf("plan of 200 stages: %v CPU, %v wall", cpu.Round(time.Millisecond), wall.Round(time.Millisecond))
	if raceEnabled {
		return // the findings were checked; the race detector's slowdown voids the budget
	}
	require.Less(t, cpu, time.Second)
}

func cpuTime(t *testing.T) time.Duration {
	var ru syscall.Rusage
	require.NoError(t, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
