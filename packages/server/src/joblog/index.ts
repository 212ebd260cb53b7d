export * from './joblog.service';
