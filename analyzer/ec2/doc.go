// Package ec2 reads the EC2 facts an audit collects: launch template
// versions as `aws ec2 describe-launch-template-versions` prints them, whose
// metadata options decide whether pods can reach the node's instance
// metadata service (and with it the node role).
package ec2
