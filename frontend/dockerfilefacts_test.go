package frontend

import (
	"context"
	"testing"

	"github.com/org/slim/llbrewrite"
	"github.com/stretchr/testify/require"
)

// escapedDockerfile defeats a line scanner three ways: a FROM split by the
// escape character from `# escape=`, a here-document line that looks like
// FROM, and a CMD continued onto a second line.
const escapedDockerfile = "# escape=`\n" +
	"FROM python:3.11-slim `\n" +
	"  AS Builder\n" +
	"RUN <<EOF\n" +
	"FROM busybox AS fake\n" +
	"EOF\n" +
	"RUN poetry install --no-root\n" +
	"FROM builder AS image\n" +
	"CMD make `\n" +
	"  tests\n"

func TestDockerfileStages(t *testing.T) {
	stages := DockerfileStages([]byte(escapedDockerfile))
	require.Equal(t, []llbrewrite.Stage{
		{Name: "builder", Base: "python:3.11-slim", Line: 2},
		{Name: "image", Base: "builder", Line: 8, Runtime: []llbrewrite.RuntimeCommand{
			{Line: 9, Text: "CMD make   tests", Shell: true, Args: []string{"make   tests"}},
		}},
	}, stages)
	require.Nil(t, DockerfileStages([]byte("FROM python\nBOGUS x\n")), "a Dockerfile that does not parse has no stage facts")
}

func TestPlanReadsStagesWithTheParser(t *testing.T) {
	findings, err := Plan(context.Background(), "Dockerfile", "", []byte(escapedDockerfile), "", nil)
	require.NoError(t, err)
	var only *llbrewrite.Finding
	for i, f := range findings {
		if f.Rule == "PoetryOnlyMain" {
			only = &findings[i]
		}
	}
	require.NotNil(t, only)
	require.Equal(t, "builder", only.Stage)
	require.Equal(t, llbrewrite.ActionSkip, only.Action)
	require.Contains(t, only.Reason, "runs make tests in the image")
}
