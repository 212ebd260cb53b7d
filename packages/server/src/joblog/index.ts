export * from './job-log.service';
