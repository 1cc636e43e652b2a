// Package benchdf generates the Dockerfiles the rewrite benchmarks use: a
// chain of stages, each installing with pip and Poetry into a venv and
// copying the previous stage's venv, so that every install has the whole
// rest of the build below it.
package benchdf

import (
	"bytes"
	"fmt"
)

// StepsPerStage is how many install steps each stage has.
const StepsPerStage = 20

// Chain returns a Dockerfile of n stages. Stage i (i > 0) copies the venv
// of stage i-1; every stage creates a venv and runs StepsPerStage steps of
// `pip install … && poetry install --no-root`. Built for its default
// target (the last stage) it converts to 22·n - 1 LLB ops.
func Chain(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, "FROM python:3.11-slim AS stage%d\n", i)
		b.WriteString("ENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH\n")
		if i > 0 {
			fmt.Fprintf(&b, "COPY --from=stage%d /opt/venv /opt/venv\n", i-1)
		}
		b.WriteString("RUN python -m venv /opt/venv\n")
		for j := range StepsPerStage {
			fmt.Fprintf(&b, "RUN pip install pkg%d-%d==1.0 && poetry install --no-root\n", i, j)
		}
	}
	return b.Bytes()
}
