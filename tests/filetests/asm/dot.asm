# dot (array(float64, 1d, C), array(float64, 1d, C))
  pushq %rbp
  unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
  movq %rsp, %rbp
  unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 0 }
block0:
  movq (%rdi), %rax
  movq 8(%rdi), %rax
  movq 0x10(%rdi), %rax
  movq 0x18(%rdi), %rax
  movq 0x20(%rdi), %rax
  movq 0x28(%rdi), %rax
  movq 0x30(%rdi), %rax
  movq 0x38(%rdi), %rcx
  movl 4(%rdx), %ecx
  leal 1(%rcx), %r8d
  movl %r8d, 4(%rdx)
  jmp     label1
block1:
  movl 8(%rdx), %r8d
  leal 1(%rcx), %ecx
  cmpl %r8d, %ecx
  jnbe    label12; j label2
block2:
  jmp     label3
block3:
  jmp     label4
block4:
  movq 0x10(%rdi), %r8
  movq %r8, %rcx
  addq $0x0, %rcx
  seto %r9b
  cmpq %rax, %rcx
  setg %r10b
  orl %r9d, %r10d
  testb %r10b, %r10b
  jnz     label11; j label5
block5:
  uninit  %rax
  xorq %rax, %rax
  uninit  %rcx
  xorl %ecx, %ecx
  uninit  %xmm4
  vxorpd %xmm4, %xmm4, %xmm0
  movq (%rdi), %r9
  movq 0x20(%rdi), %rdi
  jmp     label6
block6:
  cmpq %r8, %rax
  jnl     label9; j label7
block7:
  vmovsd (%r9, %rax, 8), %xmm1
  vmovsd (%rdi, %rax, 8), %xmm2
  jmp     label8
block8:
  leaq 1(%rax), %rax
  movl $0x1, %ecx
  vmulsd %xmm2, %xmm1, %xmm1
  vaddsd %xmm1, %xmm0, %xmm0
  jmp     label6
block9:
  jmp     label10
block10:
  movb %cl, (%rsi)
  vmovsd %xmm0, 8(%rsi)
  addl $0xffffffff, 4(%rdx)
  uninit  %rax
  xorl %eax, %eax
  movq %rbp, %rsp
  popq %rbp
  retq
block11:
  movq (%rdi), %rax
  movq 8(%rdi), %rcx
  movq 0x10(%rdi), %rsi
  movq 0x18(%rdi), %r9
  movq %rax, 0x10(%rdx)
  movq %rcx, 0x18(%rdx)
  movq %rsi, 0x20(%rdx)
  movq %r9, 0x28(%rdx)
  movq 0x20(%rdi), %rax
  movq 0x28(%rdi), %rcx
  movq 0x30(%rdi), %rsi
  movq 0x38(%rdi), %rdi
  movq %rax, 0x30(%rdx)
  movq %rcx, 0x38(%rdx)
  movq %rsi, 0x40(%rdx)
  movq %rdi, 0x48(%rdx)
  uninit  %xmm0
  vxorpd %xmm0, %xmm0, %xmm0
  vmovsd %xmm0, 0x50(%rdx)
  movq %r8, 0x58(%rdx)
  movq $0x1, 0x60(%rdx)
  movq $0x0, 0x68(%rdx)
  movl $0x0, (%rdx)
  addl $0xffffffff, 4(%rdx)
  movl $0x2, %eax
  movq %rbp, %rsp
  popq %rbp
  retq
block12:
  movq (%rdi), %rax
  movq 8(%rdi), %rcx
  movq 0x10(%rdi), %rsi
  movq 0x18(%rdi), %r8
  movq %rax, 0x10(%rdx)
  movq %rcx, 0x18(%rdx)
  movq %rsi, 0x20(%rdx)
  movq %r8, 0x28(%rdx)
  movq 0x20(%rdi), %rax
  movq 0x28(%rdi), %rcx
  movq 0x30(%rdi), %rsi
  movq 0x38(%rdi), %rdi
  movq %rax, 0x30(%rdx)
  movq %rcx, 0x38(%rdx)
  movq %rsi, 0x40(%rdx)
  movq %rdi, 0x48(%rdx)
  movl $0x2, %eax
  movl $0x2, (%rdx)
  addl $0xffffffff, 4(%rdx)
  movq %rbp, %rsp
  popq %rbp
  retq
