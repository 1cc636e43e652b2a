//go:build unix

package llbrewrite

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/org/slim/internal/benchdf"
	"github.com/org/slim/internal/dfllb"
)

// BenchmarkRewrite times BuildKit's Dockerfile converter and Rewrite on the
// same generated build graphs (benchdf.Chain: N stages of 20 pip + Poetry
// install steps, a venv, a COPY --from of the previous stage), so the two
// compare as ratios measured in the same run. Metrics per iteration:
// convert-ns and rewrite-ns (wall time), ns/llb-op (rewrite wall time per
// op of the definition), rewrite/convert (wall), and the same ratio and
// per-op cost in CPU time (all threads, the garbage collector's included),
// which other jobs on a shared machine inflate less. Run the large sizes
// once:
//
//	go test ./llbrewrite -run '^$' -bench 'Rewrite/stages=(10|100)$'
//	go test ./llbrewrite -run '^$' -bench 'Rewrite/stages=(1000|10000)$' -benchtime 1x
func BenchmarkRewrite(b *testing.B) {
	for _, stages := range []int{10, 100, 1000, 10000} {
		b.Run(fmt.Sprintf("stages=%d", stages), func(b *testing.B) {
			dt := benchdf.Chain(stages)
			p := Policy{CleanupImage: cleanupImage}
			var convert, rewrite, convertCPU, rewriteCPU time.Duration
			ops := 0
			for b.Loop() {
				c0, t0 := cpuTime(b), time.Now()
				def, err := dfllb.Convert(context.Background(), dt, dfllb.Options{})
				if err != nil {
					b.Fatal(err)
				}
				c1, t1 := cpuTime(b), time.Now()
				if _, _, err := Rewrite(def, p); err != nil {
					b.Fatal(err)
				}
				c2, t2 := cpuTime(b), time.Now()
				convert, rewrite = convert+t1.Sub(t0), rewrite+t2.Sub(t1)
				convertCPU, rewriteCPU = convertCPU+c1-c0, rewriteCPU+c2-c1
				ops = len(def.Def)
			}
			n := float64(b.N)
			b.ReportMetric(float64(ops), "llb-ops")
			b.ReportMetric(float64(convert.Nanoseconds())/n, "convert-ns")
			b.ReportMetric(float64(rewrite.Nanoseconds())/n, "rewrite-ns")
			b.ReportMetric(float64(rewrite.Nanoseconds())/n/float64(ops), "ns/llb-op")
			b.ReportMetric(float64(rewrite)/float64(convert), "rewrite/convert")
			b.ReportMetric(float64(rewriteCPU.Nanoseconds())/n/float64(ops), "cpu-ns/llb-op")
			b.ReportMetric(float64(rewriteCPU)/float64(convertCPU), "cpu-rewrite/convert")
		})
	}
}

// cpuTime is the CPU time the process has used, all threads.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
