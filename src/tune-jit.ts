// Imported first by the CLI (and the bench's SDK floor), so V8 reads the budget before the rest loads.
import { tuneJit } from "./jit.js";

tuneJit();
