package dfllb

import (
	"context"
	"strings"
	"testing"

	"github.com/moby/buildkit/solver/pb"
	"github.com/stretchr/testify/require"
)

func TestConvertAssuming(t *testing.T) {
	for _, tc := range []struct {
		name       string
		dockerfile string
		buildArgs  map[string]string
		notes      []Assumption
		images     []string // docker-image sources of the result
		env        string   // an env entry of the last RUN
	}{
		{
			name:       "unset ARG as the whole FROM",
			dockerfile: "ARG BUILD_FROM\nFROM $BUILD_FROM\nRUN pip install flask\n",
			notes:      []Assumption{{2, "ARG BUILD_FROM has no default; planned with a placeholder base image. Pass --build-arg BUILD_FROM=<image> for an exact plan."}},
			images:     []string{"docker.io/library/slim-plan-placeholder-1:latest"},
		},
		{
			name:       "braced and with an empty default",
			dockerfile: "ARG FROM=\nFROM ${FROM}\nRUN pip install flask\n",
			notes:      []Assumption{{2, "ARG FROM has no default; planned with a placeholder base image. Pass --build-arg FROM=<image> for an exact plan."}},
			images:     []string{"docker.io/library/slim-plan-placeholder-1:latest"},
		},
		{
			name:       "unset ARG in the tag",
			dockerfile: "ARG PY\nFROM python:${PY}-slim\nRUN pip install flask\n",
			notes:      []Assumption{{2, "ARG PY has no default; planned with a placeholder in the base image name (python:slim-plan-placeholder-1-slim). Pass --build-arg PY=<value> for an exact plan."}},
			images:     []string{"docker.io/library/python:slim-plan-placeholder-1-slim"},
		},
		{
			name:       "one placeholder per ARG, in order",
			dockerfile: "ARG A\nARG B\nFROM $A AS a\nRUN pip install x\nFROM $B\nCOPY --from=a /x /x\n",
			notes: []Assumption{
				{3, "ARG A has no default; planned with a placeholder base image. Pass --build-arg A=<image> for an exact plan."},
				{5, "ARG B has no default; planned with a placeholder base image. Pass --build-arg B=<image> for an exact plan."},
			},
			images: []string{"docker.io/library/slim-plan-placeholder-1:latest", "docker.io/library/slim-plan-placeholder-2:latest"},
		},
		{
			name:       "the build arg is given",
			dockerfile: "ARG BUILD_FROM\nFROM $BUILD_FROM\nRUN pip install flask\n",
			buildArgs:  map[string]string{"BUILD_FROM": "python:3.12"},
			images:     []string{"docker.io/library/python:3.12"},
		},
		{
			name:       "an empty ARG that leaves a valid name is left empty",
			dockerfile: "ARG SUFFIX\nFROM python:3.11${SUFFIX}\nRUN pip install flask\n",
			images:     []string{"docker.io/library/python:3.11"},
		},
		{
			name:       "VOLUME of a variable only the base image sets",
			dockerfile: "FROM searxng/base\nVOLUME $CONFIG_PATH\nWORKDIR $CONFIG_PATH\nRUN pip install flask\n",
			notes:      []Assumption{{2, "$CONFIG_PATH is not set in the Dockerfile, so it must come from the base image's ENV, which plan does not fetch; planned with CONFIG_PATH=/slim-plan-unknown/CONFIG_PATH."}},
			images:     []string{"docker.io/searxng/base:latest"},
			env:        "CONFIG_PATH=/slim-plan-unknown/CONFIG_PATH",
		},
		{
			name:       "VOLUME of a stage ARG without a default",
			dockerfile: "FROM python\nARG DATA\nVOLUME ${DATA}\nRUN pip install flask\n",
			notes:      []Assumption{{3, "ARG DATA has no default; planned with DATA=/slim-plan-unknown/DATA. Pass --build-arg DATA=<value> for an exact plan."}},
			images:     []string{"docker.io/library/python:latest"},
			env:        "DATA=/slim-plan-unknown/DATA",
		},
		{
			name:       "both kinds in one Dockerfile",
			dockerfile: "ARG BUILD_FROM\nFROM $BUILD_FROM\nVOLUME $DATA_DIR\nRUN pip install flask\n",
			notes: []Assumption{
				{2, "ARG BUILD_FROM has no default; planned with a placeholder base image. Pass --build-arg BUILD_FROM=<image> for an exact plan."},
				{3, "$DATA_DIR is not set in the Dockerfile, so it must come from the base image's ENV, which plan does not fetch; planned with DATA_DIR=/slim-plan-unknown/DATA_DIR."},
			},
			images: []string{"docker.io/library/slim-plan-placeholder-1:latest"},
			env:    "DATA_DIR=/slim-plan-unknown/DATA_DIR",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			def, notes, err := ConvertAssuming(context.Background(), []byte(tc.dockerfile), Options{BuildArgs: tc.buildArgs})
			require.NoError(t, err)
			require.Equal(t, tc.notes, notes)
			images, env := inspect(t, def)
			require.ElementsMatch(t, tc.images, images)
			if tc.env != "" {
				require.Contains(t, env, tc.env)
			}
		})
	}
}

func TestConvertAssumingErrors(t *testing.T) {
	for _, tc := range []struct {
		name, dockerfile, err string
		line                  int
	}{
		{"FROM of an undeclared variable", "FROM $UNDECLARED\nRUN true\n", "base name ($UNDECLARED) should not be blank", 1},
		{"a variable the Dockerfile empties", "FROM python\nENV DIR=\"\"\nVOLUME $DIR\n", "VOLUME specified can not be an empty string", 3},
		// The placeholder is no signal; the error without it is reported.
		{"a placeholder that does not help", "FROM python\nSTOPSIGNAL $SIG\n", "invalid signal: ", 2},
		{"unknown instruction", "FROM python\nBOGUS x\n", "unknown instruction: BOGUS", 2},
		{"unknown flag after an unset FROM ARG", "ARG BUILD_FROM\nFROM $BUILD_FROM\nCOPY --bogus a b\n", "unknown flag: --bogus", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, notes, err := ConvertAssuming(context.Background(), []byte(tc.dockerfile), Options{})
			require.Error(t, err)
			require.Nil(t, notes)
			require.True(t, strings.HasSuffix(err.Error(), tc.err), err.Error())
			require.Equal(t, tc.line, errorLine(err))
		})
	}
}

// A Dockerfile that converts gets no placeholder: the result is Convert's.
func TestConvertAssumingLeavesConvertibleAlone(t *testing.T) {
	df := []byte("ARG SUFFIX\nFROM python:3.11${SUFFIX}\nWORKDIR $APP_HOME\nRUN pip install flask\n")
	want, err := Convert(context.Background(), df, Options{})
	require.NoError(t, err)
	got, notes, err := ConvertAssuming(context.Background(), df, Options{})
	require.NoError(t, err)
	require.Empty(t, notes)
	// Source locations come out in no fixed order; the ops are what counts.
	require.Equal(t, want.Def, got.Def)
}

// The caller's maps are not changed.
func TestConvertAssumingClonesOptions(t *testing.T) {
	args := map[string]string{"OTHER": "1"}
	_, notes, err := ConvertAssuming(context.Background(), []byte("ARG B\nFROM $B\nVOLUME $V\n"), Options{BuildArgs: args})
	require.NoError(t, err)
	require.Len(t, notes, 2)
	require.Equal(t, map[string]string{"OTHER": "1"}, args)
}

// inspect returns the image sources of def and the env of its last exec op.
func inspect(t *testing.T, def *pb.Definition) (images, env []string) {
	t.Helper()
	for _, dt := range def.Def {
		var op pb.Op
		require.NoError(t, op.UnmarshalVT(dt))
		if src := op.GetSource(); src != nil && strings.HasPrefix(src.Identifier, "docker-image://") {
			images = append(images, strings.TrimPrefix(src.Identifier, "docker-image://"))
		}
		if ex := op.GetExec(); ex != nil {
			env = ex.Meta.Env
		}
	}
	return images, env
}
