/** `npm run size -- --participants <n> [...]`: prints the sizing of a state (see `SIZE_USAGE`). */
import { FLAG_OF_FIELD, parseSizeArguments, SIZE_USAGE, SizeArgumentError } from './cli-arguments';
import { formatSizing } from './format-sizing';
import { sizeState, SizingError } from './size-state';

try {
  const command = parseSizeArguments(process.argv.slice(2));
  if (command.help) {
    process.stdout.write(`${SIZE_USAGE}\n`);
  } else {
    const sizing = sizeState(command.input);
    process.stdout.write(command.json ? `${JSON.stringify(sizing, null, 2)}\n` : formatSizing(sizing));
  }
} catch (error) {
  if (error instanceof SizeArgumentError) {
    process.stderr.write(`size: ${error.message}\n`);
  } else if (error instanceof SizingError) {
    process.stderr.write(`size: ${FLAG_OF_FIELD[error.field]}: ${error.problem}\n`);
  } else {
    throw error;
  }
  process.exit(2);
}
