package main

// The detailed help of each command (kong's HelpProvider: `COMMAND --help`
// prints it under the usage line): what it does, then examples that run
// from a checkout on the shipped samples (TestHelpExamples runs them).

// Help is the detailed help of `decode --help`.
func (c *DecodeCmd) Help() string {
	return `Decodes fw tab -u entries (R81.20 34-value and older 31-value shapes) and link
lines, fw tab -f lines, kernel-debug SET/REFRESH/DELETE/SLINKS and correction
lines, and fw ctl multik gconn rows: the connection, its owner (CCL id and SGM),
its sync_mask per site, when it expires, every value word. An argument that
names an existing file is read as one (stderr says so); anything else is an
entry. Entries wrapped over several lines are joined.

Examples:

  maestro-analyze decode < samples/entries.txt
  maestro-analyze --sites 1=standby,2=active decode --dxl samples/dxl.txt samples/entries.txt
  maestro-analyze -f ndjson decode samples/entries.txt | jq -r 'select(.owner) | .owner.sgm'`
}

// Help is the detailed help of `owners --help`.
func (c *OwnersCmd) Help() string {
	return `Reads every SGM's connection dumps (fw tab -u/-f, g_all output, gconn, kernel
debug, folders) and says where the owners live per site and SGM, which owners
are off the ACTIVE site, outside the layout or unknown, the expiry skew between
SGMs, and the connections at risk: some SGM expires them within --expiry-risk
seconds while another refreshed them within that time. The SGM of each input
comes from FILE@1_03, a header line, the file name or a cpinfo host name.

Examples:

  maestro-analyze owners samples/switchover
  maestro-analyze owners --list --dump-time 2025-09-30T04:18:08Z samples/switchover
  maestro-analyze -f json owners samples/switchover | jq '.owners_by_sgm'`
}

// Help is the detailed help of `storms --help`.
func (c *StormsCmd) Help() string {
	return `Reads kernel-debug captures and cphaprob syncstat / fw ctl pstat outputs in one
pass: sync messages per op over time (from the @;N; stamps), peak and baseline
rate, bursts and their period against --refresh-interval, switchover evidence,
syncstat counters with their deltas and the vendor's queue advice, and an
estimate of the updates a REFRESH wave risks losing.

Examples:

  maestro-analyze storms samples/switchover/kdebug.txt samples/syncstat.txt
  maestro-analyze storms --bucket 10 -f csv samples/switchover/kdebug.txt
  maestro-analyze -f ndjson storms samples/switchover/kdebug.txt | jq -c 'select(.type == "burst")'`
}

// Help is the detailed help of `triage --help`.
func (c *TriageCmd) Help() string {
	return `Opens support bundles as they arrived (folders, .tgz/.tar/.gz/.zip/.xz/.zst/.bz2,
nested archives, cpinfo files), recognizes every file by content, attributes
each to an SGM, and reports findings by severity (high, medium, info), each with
a stable code, the SGMs, plain words and evidence as archive!member:line, then
an inventory of members and files.

Examples:

  maestro-analyze triage samples/bundle/bundle.tgz
  maestro-analyze triage --fail-on high --html report.html samples/bundle/bundle.tgz
  maestro-analyze -f ndjson triage samples/bundle/bundle.tgz | jq -c 'select(.type == "finding") | {code, severity}'

Exit status: 0 done; 4 findings at the --fail-on severity; 1 runtime error or
nothing recognizable; 2 usage error.`
}

// Help is the detailed help of `trace --help`.
func (c *TraceCmd) Help() string {
	return `Tells one connection's story from whatever inputs are given: the connection in
both directions, its owner and whether correction reaches it, every SGM holding
it (full entry or link, remaining/timeout), a timeline of every sync message and
correction line about it with its sync_mask decoded per site (active and backup
sets with --sites or the mask's own site states, and asg dxl calc), each change
of the owner's sync_mask explained, and a closing verdict.

Only lines that name the connection's addresses (hex as fw tab and kernel debug
print them, dotted as fw tab -f, gconn and correction lines do) are parsed.

Examples:

  maestro-analyze trace 172.16.61.2:30675-172.16.61.66:179/tcp samples/switchover
  maestro-analyze --sites 1=standby,2=active trace --dxl samples/dxl.txt 172.16.61.66:179-172.16.61.2:30675/tcp samples/switchover
  maestro-analyze -f ndjson trace 172.16.61.2:30675-172.16.61.66:179/tcp samples/switchover | jq -c 'select(.type == "event") | {t, op, sync_mask}'

Exit status: 0 found; 3 the connection appears in none of the inputs (the
message says what was searched); 1 runtime error; 2 usage error.`
}

// Help is the detailed help of `mask --help`.
func (c *MaskCmd) Help() string {
	return `Decodes a sync_mask (bit i is CCL id i) into SGMs per site; with the site states
(--sites) and asg dxl calc output (--dxl), the active and backup sync sets.

Examples:

  maestro-analyze mask 0x0001800e
  maestro-analyze --sites 1=standby,2=active mask --owner 1_02 --dxl samples/dxl.txt 0x00038006
  echo 0x0000000c | maestro-analyze -f json mask -`
}

// Help is the detailed help of `ccl --help`.
func (c *CCLCmd) Help() string {
	return `Decodes value word 13 (where the owner's CCL id sits), a CCL id or an SGM name
into the others; with no value, prints the CCL table of the layout.

Examples:

  maestro-analyze ccl 0x02008000 16 2_03
  maestro-analyze --layout 3x4 ccl
  printf '2_03\n1_02\n' | maestro-analyze -f csv ccl -`
}

// Help is the detailed help of `filter --help`.
func (c *FilterCmd) Help() string {
	return `Prints the input lines that meet every condition given, unchanged and in input
order (an entry wrapped over several lines prints whole), so that the output is
itself a capture or a dump that every command, and grep, reads again. The owner
is the CCL id of value word 13 (fw tab -u entries, kernel-debug sync lines), of
the -f Bits, or gconn's clstr mem ID. In a fw tab -u dump a link line matches
with its connection's full entry, wherever the entry is in the same input (the
inputs are then read twice; stdin is kept in a temporary file for it). Lines no
format decodes never match: with -v they are printed, otherwise they are
counted in the accounting on stderr.

Exit status, like grep's: 0 some line matched; 1 none did; 2 an error (usage
errors too).

Examples:

  maestro-analyze filter --owner 1_02 samples/switchover/kdebug.txt
  maestro-analyze filter --off-active -c -H samples/switchover/sgm-2_01/fwtab.txt samples/switchover/kdebug.txt
  maestro-analyze -f ndjson filter --op SET --owner-site 2 samples/switchover/kdebug.txt | jq -r '.owner.sgm'`
}

// Help is the detailed help of `timeline --help`.
func (c *TimelineCmd) Help() string {
	return `Puts the events of every input on one clock, in UTC: HA state changes,
failovers, reboots and memory use over 90% from the CPView history databases
(found by content; samples about a minute apart, so an event's time is the
sample where it first shows), kernel panics from syslog copies, asg stat DOWN
rows, and the switchover and REFRESH waves of a kernel-debug capture. A table,
then a one-paragraph story. What rests on an assumption says so.

Examples:

  maestro-analyze timeline samples/bundle/bundle.tgz
  maestro-analyze timeline --sgm 1_03 --from 2025-09-30T02:00:00Z samples/bundle/bundle.tgz
  maestro-analyze -f ndjson timeline samples/bundle/bundle.tgz | jq -c 'select(.kind == "failover")'`
}
