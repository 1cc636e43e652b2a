package shelledit

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPipNoCompile(t *testing.T) {
	for _, tc := range []struct {
		name, in, want, skip string
		env                  Env
	}{
		{name: "pip", in: "pip install --no-cache-dir -r requirements.txt", want: "pip install --no-compile --no-cache-dir -r requirements.txt"},
		{name: "chain and venv pip", in: "python -m venv /v && /v/bin/pip install x && pip3 install y",
			want: "python -m venv /v && /v/bin/pip install --no-compile x && pip3 install --no-compile y"},
		{name: "python -m pip", in: "python3 -m pip install x", want: "python3 -m pip install --no-compile x"},
		{name: "not an install", in: "pip download x && pip wheel y", want: "pip download x && pip wheel y"},
		{name: "already", in: "pip install --no-compile x", skip: "--no-compile is already there"},
		{name: "abbreviated", in: "pip install --no-comp x", skip: "--no-comp is already there"},
		{name: "--compile", in: "pip install --compile x", skip: "--compile asks for bytecode"},
		{name: "env prefix", in: "PIP_COMPILE=1 pip install x", skip: "PIP_COMPILE is set on this command"},
		{name: "step env", in: "pip install x", env: Env{"PIP_NO_COMPILE": "0"}, skip: "PIP_NO_COMPILE is set in the step's environment"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, notes := PipNoCompile(tc.in, tc.env)
			if tc.skip != "" {
				require.Equal(t, tc.in, out)
				require.Len(t, notes, 1)
				require.Equal(t, ActionSkip, notes[0].Action)
				require.Contains(t, notes[0].Reason, tc.skip)
				return
			}
			require.Equal(t, tc.want, out)
			for _, n := range notes {
				require.Equal(t, ActionRewrite, n.Action)
			}
		})
	}
}

func TestPipNoCompileArgv(t *testing.T) {
	out, notes := PipNoCompileArgv([]string{"/opt/venv/bin/pip", "install", "x"}, nil)
	require.Equal(t, []string{"/opt/venv/bin/pip", "install", "--no-compile", "x"}, out)
	require.Len(t, notes, 1)
	out, _ = PipNoCompileArgv([]string{"/bin/sh", "-c", "pip install x"}, nil)
	require.Equal(t, []string{"/bin/sh", "-c", "pip install --no-compile x"}, out)
}
