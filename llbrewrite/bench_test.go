package llbrewrite

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/org/slim/internal/benchdf"
	"github.com/org/slim/internal/dfllb"
)

// BenchmarkRewrite times BuildKit's Dockerfile converter and Rewrite on the
// same generated build graphs (benchdf.Chain), so the two can be compared
// as a ratio measured in the same run. Metrics per iteration:
// convert-ns and rewrite-ns (wall time of each), ns/llb-op (rewrite time
// per op of the definition) and rewrite/convert. Run the large sizes once:
//
//	go test ./llbrewrite -run '^$' -bench 'Rewrite/stages=(10|100)$'
//	go test ./llbrewrite -run '^$' -bench 'Rewrite/stages=(1000|10000)$' -benchtime 1x
func BenchmarkRewrite(b *testing.B) {
	for _, stages := range []int{10, 100, 1000, 10000} {
		b.Run(fmt.Sprintf("stages=%d", stages), func(b *testing.B) {
			dt := benchdf.Chain(stages)
			p := Policy{CleanupImage: cleanupImage}
			var convert, rewrite time.Duration
			ops := 0
			for b.Loop() {
				start := time.Now()
				def, err := dfllb.Convert(context.Background(), dt, dfllb.Options{})
				if err != nil {
					b.Fatal(err)
				}
				mid := time.Now()
				if _, _, err := Rewrite(def, p); err != nil {
					b.Fatal(err)
				}
				convert += mid.Sub(start)
				rewrite += time.Since(mid)
				ops = len(def.Def)
			}
			n := float64(b.N)
			b.ReportMetric(float64(ops), "llb-ops")
			b.ReportMetric(float64(convert.Nanoseconds())/n, "convert-ns")
			b.ReportMetric(float64(rewrite.Nanoseconds())/n, "rewrite-ns")
			b.ReportMetric(float64(rewrite.Nanoseconds())/n/float64(ops), "ns/llb-op")
			b.ReportMetric(float64(rewrite)/float64(convert), "rewrite/convert")
		})
	}
}
