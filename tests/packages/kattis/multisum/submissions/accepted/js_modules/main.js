const { add } = require('./lib/add.js');
const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\s+/).map(Number);
console.log(add(a, b));
