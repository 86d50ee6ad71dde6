// Reads the judge's lines as they come: one question, then wait for its answer.
const rl = require('readline').createInterface({input: process.stdin});
let lo = 1, hi = 0, m = 0, first = true;
function ask() {
    m = Math.floor((lo + hi) / 2);
    process.stdout.write('? ' + m + '\n');
}
rl.on('line', (line) => {
    line = line.trim();
    if (first) {
        first = false;
        hi = Number(line.split(' ')[0]);
        ask();
        return;
    }
    if (line === '=') {
        rl.close();
        return;
    }
    if (line === '<')
        hi = m - 1;
    else
        lo = m + 1;
    ask();
});
