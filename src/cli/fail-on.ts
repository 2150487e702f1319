/** `--fail-on error|warning|info|never`: one option, one meaning, for every command that reports findings. */
import { Option } from 'commander';
import { FAIL_ON_LEVELS } from '../report/types.js';

export function failOnOption(): Option {
  return new Option('--fail-on <level>', 'exit 1 when a finding is at or above this level').choices(FAIL_ON_LEVELS).default('error');
}
