//go:build race

package frontend

// raceEnabled: the race detector slows code 5–10×, so time budgets do not
// apply (CI runs the unit packages once more under -race).
const raceEnabled = true
