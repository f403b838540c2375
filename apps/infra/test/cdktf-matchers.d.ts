// Types of the jest matchers `Testing.setupJest()` installs (`toHaveResourceWithProperties`, ...).
/// <reference types="cdktf/lib/testing/adapters/jest" />
