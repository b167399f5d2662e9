package parse

import (
	"bytes"
	"regexp"
)

// Formats: site and member states [public, older platforms].
//
// `asg stat -v` (61000 chassis, the ancestor of Maestro sites):
//
//	| Chassis 1                     STANDBY                                     |
//	| SGM ID         State          Process                   Policy Date       |
//	| 1  (local)     UP             Enforcing Security        09Jan14 11:30     |
//	| 3              DOWN           Inactive                  NA                |
//
// `cphaprob state` (ClusterXL members):
//
//	1 (local)  10.231.149.1    100%            ACTIVE
//	2          11.22.33.246    0%              DOWN           Member2
//
// The Maestro `asg monitor` layout is not published [assumed]; site states
// are also accepted from the user (--sites).

var (
	asgChassisRe = regexp.MustCompile(`^Chassis\s+([1-9])\s+(ACTIVE|STANDBY|DOWN|UP)\b`)
	asgMemberRe  = regexp.MustCompile(`^([0-9]{1,2})\s+(?:\(local\)\s+)?(UP|DOWN)\b`)
	cphaStateRe  = regexp.MustCompile(`^([0-9]{1,2})\s+(?:\(local\)\s+)?[0-9]{1,3}(?:\.[0-9]{1,3}){3}\s+[0-9]{1,3}%\s+(ACTIVE\(!\)|ACTIVE|STANDBY|DOWN|INIT|READY|LOST|DETACHED)(?:\s|$)`)
)

// asgStatCell parses the single cell of an `asg stat -v` row; ok is false
// when the cell is not one.
func (r *Reader) asgStatCell(cell []byte, pos Pos) (produced, ok bool) {
	if m := asgChassisRe.FindSubmatch(cell); m != nil {
		r.rec.reset(KindSiteState, pos)
		r.rec.Chassis = int(m[1][0] - '0')
		r.rec.State = internState(m[2])
		return r.accept(), true
	}
	if m := asgMemberRe.FindSubmatch(cell); m != nil {
		r.rec.reset(KindMemberState, pos)
		n, _ := decUint(m[1])
		r.rec.Value = int(n)
		r.rec.State = internState(m[2])
		return r.accept(), true
	}
	for _, p := range [...]string{"SGM ID", "VSX System Status", "VS ID:", "System Status"} {
		if bytes.HasPrefix(cell, []byte(p)) {
			return r.ignore("banner"), true
		}
	}
	return false, false
}

// cphaState parses a `cphaprob state` member row.
func (r *Reader) cphaState(t []byte, pos Pos) bool {
	m := cphaStateRe.FindSubmatch(t)
	if m == nil {
		return false
	}
	r.rec.reset(KindMemberState, pos)
	n, _ := decUint(m[1])
	r.rec.Value = int(n)
	r.rec.State = internState(m[2])
	return true
}
